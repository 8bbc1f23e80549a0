/**
 * The agent console's HTTP side and its registration on the app: the /agent page and its
 * assets, the agent socket, the agent APIs (token via `Authorization: Bearer` or `?token=`),
 * GET /api/stats for the console header and GET /metrics for Prometheus. The handoff stage
 * itself is built at the composition root (src/main.ts: `createHandoff`) and handed in;
 * this module only turns requests and frames into calls on its pieces.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { AppContext } from '../app';
import { AppError } from '../errors';
import { RESOLUTIONS } from '../handoff/actions';
import { displayNameOf, type AgentDef, type AgentRegistry } from '../handoff/agents';
import type { Handoff } from '../handoff/compose';
import { watchHandoffs } from '../handoff/wiring';
import type { Metrics } from '../metrics';
import { AgentSockets, tokenFrom } from './agent-socket';
import { registerSearchRoutes } from './http-search';
import { registerFeedbackRoutes } from './http-feedback';
import { readJsonBody, sendJson, type RouteContext } from './router';

export interface AgentConsoleOptions {
  handoff: Handoff;
  agents: AgentRegistry;
  metrics: Metrics;
  /** Sweeper period; 0 disables it (tests call `handoff.sweeper.sweep()` themselves). Default 1000. */
  sweepIntervalMs?: number;
  /** How long an agent may be disconnected before counting as offline. Default 30 s. */
  disconnectGraceMs?: number;
}

export interface AgentConsole {
  /** Resolves once the Bus subscriptions are live. */
  readonly ready: Promise<void>;
}

/**
 * Registers the agent console on a built app: the socket, the routes, the Bus subscriptions
 * (agent frames, new handoffs published by this instance), the sweeper and this instance's
 * presence lease renewal, all stopped by the app's close.
 */
export function registerAgentConsole(ctx: AppContext, options: AgentConsoleOptions): AgentConsole {
  const { config, store, shop, logger } = ctx.deps;
  const { handoff, agents, metrics } = options;
  const log = logger.child({ component: 'agent-console' });
  metrics.setLiveSource(async () => {
    const s = await handoff.views.stats();
    return { queueLength: s.queueLength, agentsOnline: s.agentsOnline };
  });
  const sockets = new AgentSockets({
    store,
    agents,
    handoff,
    fanout: ctx.fanout,
    logger: log,
    disconnectGraceMs: options.disconnectGraceMs ?? 30_000,
    isShuttingDown: ctx.isShuttingDown,
    shopUtcOffsetMinutes: shop.policy.utcOffsetMinutes,
    limits: config.limits,
  });
  let unwatch: (() => Promise<void>) | undefined;
  const ready = Promise.all([
    sockets.start(),
    watchHandoffs(store, handoff.entrance, config.instanceId, (err) => log.error({ err }, 'handoff routing failed')).then((u) => {
      unwatch = u;
    }),
  ]).then(
    () => undefined,
    (err: unknown) => log.error({ err }, 'agent console subscriptions failed'),
  );
  const interval = options.sweepIntervalMs ?? 1000;
  const stopSweeper = interval > 0 ? handoff.sweeper.startSweeper(interval) : () => {};
  // This instance keeps the presence lease of every agent whose console is connected here.
  const stopLeases = handoff.presence.startLeaseRenewal(() => sockets.connectedAgents, config.presence.renewMs);
  ctx.onClose(async () => {
    stopSweeper();
    stopLeases();
    await sockets.stop();
    // Handoff events the last turns published in this process are delivered before unsubscribing.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await unwatch?.();
    // The last turns' handoffs (routing, the no-agent notice, SLA clocks) finish before the store closes.
    await handoff.settled();
  });

  ctx.router.socket('/ws/agent', (ws, req, { url, ip }) => sockets.accept(ws, req, url, ip));
  registerAgentRoutes(ctx, agents, handoff, metrics);
  registerSearchRoutes(ctx, agents, handoff);
  registerFeedbackRoutes(ctx, agents, metrics);
  return { ready };
}

const messageBody = z.object({ text: z.string().trim().min(1).max(2000), suggestionIndex: z.number().int().min(0).max(9).optional() });
const noteBody = z.object({ text: z.string().trim().min(1).max(2000) });
const transferBody = z.object({ toAgentId: z.string().min(1).max(40).optional() });
const closeBody = z.object({ resolution: z.enum(RESOLUTIONS) });
const presenceBody = z.object({ status: z.enum(['online', 'away', 'offline']) });

async function body<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const parsed = schema.safeParse(await readJsonBody(req, 16 * 1024));
  if (!parsed.success) throw new AppError('BAD_FRAME', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Registers the page, the agent APIs, /api/stats and /metrics. */
export function registerAgentRoutes(ctx: AppContext, agents: AgentRegistry, handoff: Handoff, metrics: Metrics): void {
  const { router, staticFiles } = ctx;
  const authed = (fn: (c: RouteContext, agent: AgentDef) => Promise<void>) => async (c: RouteContext) => {
    const agent = agents.authenticate(tokenFrom(c.req, c.url));
    if (!agent) throw new AppError('UNAUTHORIZED');
    await fn(c, agent);
  };
  const ok = (c: RouteContext): void => sendJson(c.res, 200, { ok: true });

  router.get('/agent', ({ req, res }) => staticFiles.send(req, res, 'agent.html'));
  router.get('/agent.js', ({ req, res }) => staticFiles.send(req, res, 'agent.js'));
  router.get('/agent.css', ({ req, res }) => staticFiles.send(req, res, 'agent.css'));

  const { metricsToken, metricsPublic } = ctx.deps.config;
  router.get('/metrics', async ({ req, res, url }) => {
    // Closed unless METRICS_PUBLIC=true; with METRICS_TOKEN set, a scraper that shows it may read.
    if (!metricsPublic && (metricsToken === undefined || !sameSecret(tokenFrom(req, url), metricsToken))) throw new AppError('UNAUTHORIZED');
    const text = await metrics.render();
    res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
    res.end(text);
  });
  router.get(
    '/api/stats',
    authed(async ({ res }) => sendJson(res, 200, await handoff.views.stats())),
  );
  router.get(
    '/api/agent/me',
    authed(async ({ res }, agent) =>
      sendJson(res, 200, {
        id: agent.id,
        name: displayNameOf(agent),
        maxChats: agent.maxChats,
        conversations: await handoff.views.assignments(agent.id),
      }),
    ),
  );
  router.get(
    '/api/agent/queue',
    authed(async ({ res }) => sendJson(res, 200, { queue: await handoff.views.queueView() })),
  );
  router.get(
    '/api/agent/agents',
    authed(async ({ res }) => sendJson(res, 200, { agents: await handoff.views.agentsView() })),
  );
  router.get(
    '/api/agent/conversations/:id',
    authed(async ({ res, params }, agent) => {
      const id = params['id'] ?? '';
      // Agents see the chats they hold and the ones waiting in the queue, nothing else.
      const held = await handoff.views.assignments(agent.id);
      const queued = (await handoff.views.queueItem(id)) !== null;
      if (!held.includes(id) && !queued) throw new AppError('FORBIDDEN', 'You do not hold this conversation');
      const frame = await handoff.views.conversationFrame(id);
      if (!frame) throw new AppError('NOT_FOUND', 'No such conversation');
      sendJson(res, 200, frame);
    }),
  );
  router.post(
    '/api/agent/presence',
    authed(async (c, agent) => {
      await handoff.presence.setPresence(agent.id, (await body(c.req, presenceBody)).status);
      ok(c);
    }),
  );
  router.post(
    '/api/agent/conversations/:id/pick',
    authed(async (c, agent) => {
      await handoff.routing.pick(agent.id, c.params['id'] ?? '');
      ok(c);
    }),
  );
  router.post(
    '/api/agent/conversations/:id/messages',
    authed(async (c, agent) => {
      const b = await body(c.req, messageBody);
      const stored = await handoff.actions.sendMessage(agent.id, c.params['id'] ?? '', b.text, {
        ...(b.suggestionIndex !== undefined ? { suggestionIndex: b.suggestionIndex } : {}),
      });
      sendJson(c.res, 200, { seq: stored.seq });
    }),
  );
  router.post(
    '/api/agent/conversations/:id/notes',
    authed(async (c, agent) => {
      sendJson(c.res, 200, await handoff.actions.addNote(agent.id, c.params['id'] ?? '', (await body(c.req, noteBody)).text));
    }),
  );
  router.post(
    '/api/agent/conversations/:id/transfer',
    authed(async (c, agent) => {
      const b = await body(c.req, transferBody);
      await handoff.routing.transfer(agent.id, c.params['id'] ?? '', b.toAgentId);
      ok(c);
    }),
  );
  router.post(
    '/api/agent/conversations/:id/return',
    authed(async (c, agent) => {
      await handoff.actions.returnToBot(agent.id, c.params['id'] ?? '');
      ok(c);
    }),
  );
  router.post(
    '/api/agent/conversations/:id/close',
    authed(async (c, agent) => {
      await handoff.actions.close(agent.id, c.params['id'] ?? '', (await body(c.req, closeBody)).resolution);
      ok(c);
    }),
  );
}

/** Constant-time comparison of a presented token with the configured one. */
function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
