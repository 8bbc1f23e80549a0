// Types for the plain-JS pages checked with `// @ts-check` (tsconfig.web.json, `npm run typecheck:web`).
// The pages are classic scripts that share a few globals; declare them here.
interface Window {
  /** The agent console's shared object (src/web/agent.js), read by its feature modules. */
  AgentConsole?: any;
  webkitAudioContext?: typeof AudioContext;
  /** The buyer widget's public API (src/web/widget.js), used by the demo storefront. */
  KefuWidget?: any;
  /** Labels of handoff reasons, priorities and order statuses (/labels.js, from src/model/labels.ts). */
  KefuLabels?: { reasons: Record<string, string>; priorities: Record<string, string>; orderStatus: Record<string, string> };
  /** Set once the widget script has run, so a second copy of it does nothing. */
  __kefuWidgetLoaded?: boolean;
}
