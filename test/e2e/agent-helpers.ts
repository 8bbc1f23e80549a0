/**
 * Shared setup for the agent-console end-to-end tests: the real app on port 0 with the real
 * memory store, the real dialogue engine over the project's intents/ and templates/ and the
 * demo shop, wrapped by the agent console exactly as main.ts does.
 */
import { createWaitingRoom } from '../../src/handoff/waiting';
import { registerAgentConsole } from '../../src/transport/http-agent';
import { createAgentRegistry } from '../../src/handoff/agents';
import { botAndShopDeps, createHandoff, type Handoff } from '../../src/handoff/compose';
import type { SlaConfig } from '../../src/handoff/sla';
import { withTurnHooks } from '../../src/handoff/wiring';
import { createMetrics, type Metrics } from '../../src/metrics';
import { startServer, TestClient, type Running } from '../transport/harness';
import type { Concern } from '../../src/app';
import type { ShopData } from '../../src/shop/types';
import type { Store } from '../../src/store/types';
import type { ChatEngine } from '../../src/conversation/conversation-service';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { realEngine } from './real-engine';
import { launchChromium } from './support/browser';

export const TOKENS = { xiaomei: 'agent-tok-xiaomei', ajie: 'agent-tok-ajie' };

/** How a test runs the agent console (main.ts runs it with the defaults). */
export interface AgentConsoleOptions {
  /** Clock of the handoff (SLA clocks, presence); default: the server's clock. */
  clock?: () => Date;
  sla?: Partial<SlaConfig>;
  /** Sweeper period; 0 (the default here) leaves sweeping to the test. */
  sweepIntervalMs?: number;
  disconnectGraceMs?: number;
  /** Default: a fresh registry (the quick-phrases concern shares it in main.ts). */
  metrics?: Metrics;
}

/** The handoff stage and the console registered on a test server, built as main.ts builds them. */
export interface AgentConsole {
  handoff: Handoff;
  metrics: Metrics;
  ready: Promise<void>;
}

/**
 * The two steps main.ts takes around createApp: wrap the engine so buyer turns reach the
 * handoff, then build the handoff on the app's conversation service and register the console.
 */
export function agentConsoleFor<E extends ChatEngine>(
  engine: E,
  opts: AgentConsoleOptions = {},
): { engine: E; attach(running: Running, shop: ShopData, bot: ChatEngine): AgentConsole } {
  let handoff: Handoff | undefined;
  const metrics = opts.metrics ?? createMetrics();
  const wrapped = withTurnHooks(engine, { onBuyerTurn: (info) => handoff?.entrance.onBuyerTurn(info) ?? Promise.resolve() }, opts.clock);
  return {
    engine: wrapped,
    attach(running, shop, bot) {
      const { config, app } = running;
      const agents = createAgentRegistry(config.agents.map((a) => ({ ...a })));
      const built = createHandoff({
        store: running.store,
        agents,
        conversations: app.conversations,
        metrics,
        clock: opts.clock ?? app.context.deps.clock,
        ...botAndShopDeps(bot, shop, config),
        ...(opts.sla ? { sla: opts.sla } : {}),
        onError: (err, context) => running.logger.error({ err, context }, 'handoff error'),
      });
      handoff = built;
      const { ready } = registerAgentConsole(app.context, {
        handoff: built,
        agents,
        metrics,
        sweepIntervalMs: opts.sweepIntervalMs ?? 0,
        disconnectGraceMs: opts.disconnectGraceMs ?? 60_000,
      });
      return { handoff: built, metrics, ready };
    },
  };
}

export interface AgentServer extends Running {
  console: AgentConsole;
  /** The real engine the server runs (before the console's wrapping), to compare against. */
  engine: ChatEngine;
  shop: ShopData;
  agentUrl(token: string): string;
  /**
   * Opens a buyer socket. With `buyerId` (a demo shop buyer such as 'B001') the store is seeded
   * with that buyer's session first, so the conversation belongs to a known buyer with orders.
   */
  buyer(opts?: { buyerId?: string }): Promise<TestClient>;
}

export async function startAgentServer(
  opts: {
    maxChats?: number;
    console?: AgentConsoleOptions;
    /** Default: a fresh memory store (closed by stop). */
    store?: Store;
    /** Extra environment for the server's config. */
    env?: Record<string, string>;
    /** One clock for the engine, the app, the console and the waiting room (a fake one in tests). */
    clock?: () => Date;
    /** Queued buyers keep talking to the bot (place in queue, business hours, callback), as main.ts runs it. */
    waiting?: boolean;
    /** More concerns after the agent console's (e.g. the webhook channel). */
    concerns?: Concern[];
  } = {},
): Promise<AgentServer> {
  const max = opts.maxChats ?? 5;
  const { engine, shop, bundle } = realEngine(opts.clock);
  const clock = opts.clock;
  const consoleSetup = agentConsoleFor(engine, { ...(clock ? { clock } : {}), ...opts.console });
  const waiting = opts.waiting
    ? createWaitingRoom({ templates: () => bundle.templates, policy: shop.policy, clock: clock ?? (() => new Date()) })
    : undefined;
  const running = await startServer({
    engine: consoleSetup.engine,
    shop,
    // Away hands chats over at once unless a test sets a grace (AWAY_GRACE_MS).
    env: { AGENT_TOKENS: `xiaomei:${TOKENS.xiaomei}:${max},ajie:${TOKENS.ajie}:${max}`, LOG_LEVEL: 'warn', AWAY_GRACE_MS: '0', ...opts.env },
    ...(opts.concerns ? { concerns: opts.concerns } : {}),
    ...(opts.store ? { store: opts.store } : {}),
    ...(clock ? { clock } : {}),
    ...(waiting ? { waiting } : {}),
  });
  const agentConsole = consoleSetup.attach(running, shop, engine);
  await agentConsole.ready;
  const wsBase = running.url.replace('http', 'ws');
  return {
    ...running,
    console: agentConsole,
    engine,
    shop,
    agentUrl: (token) => `${wsBase}/ws/agent?token=${encodeURIComponent(token)}`,
    async buyer({ buyerId }: { buyerId?: string } = {}) {
      const b = await TestClient.open(running.wsUrl);
      if (buyerId) {
        // A returning buyer whose last conversation is gone: the server opens a new one for them.
        const resumeToken = `tok-${buyerId}-${Math.random().toString(36).slice(2)}`;
        await running.store.saveBuyerSession({ buyerId, resumeToken, conversationId: `gone-${buyerId}` });
        const welcome = await b.hello({ buyerId, resumeToken });
        if (welcome['buyerId'] !== buyerId) throw new Error(`expected buyer ${buyerId}, got ${String(welcome['buyerId'])}`);
      } else {
        await b.hello();
      }
      return b;
    },
  };
}

/** Sends a buyer message and waits until it is stored. */
export async function say(buyer: TestClient, text: string): Promise<void> {
  const id = `c-${Math.random().toString(36).slice(2)}`;
  buyer.send({ type: 'message', id, text });
  await buyer.next((f) => f.type === 'ack' && f.id === id, 'ack');
}

/** An agent server and a browser shared by one describe block's tests. */
export interface ConsoleInBrowser {
  s: AgentServer;
  browser: Browser;
}

/**
 * Starts an agent server and Chromium before the block's tests and closes both after them;
 * the returned object is filled in by the time the first test runs.
 */
export function agentConsoleInBrowser(opts: Parameters<typeof startAgentServer>[0] = {}): ConsoleInBrowser {
  const ctx = {} as ConsoleInBrowser;
  beforeAll(async () => {
    ctx.s = await startAgentServer(opts);
    ctx.browser = await launchChromium();
    mkdirSync('/tmp/shots', { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.s?.stop();
  });
  return ctx;
}

/**
 * The queue as a console holds it after the frames it got so far: the last whole-queue frame
 * (connect, refresh) with every later row change applied, in order (issue 14).
 */
export function queueSeenBy(frames: readonly Record<string, unknown>[]): string[] {
  let ids: string[] = [];
  for (const f of frames) {
    if (f['type'] === 'queue') ids = (f['queue'] as { conversationId: string }[]).map((q) => q.conversationId);
    if (f['type'] !== 'queue_item') continue;
    const id = f['conversationId'] as string;
    if (f['op'] === 'removed') ids = ids.filter((x) => x !== id);
    else if (f['op'] === 'added' && !ids.includes(id)) ids.push(id);
  }
  return ids;
}
