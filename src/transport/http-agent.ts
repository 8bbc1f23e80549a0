/**
 * The agent console's HTTP side and its registration on the app: the /agent page and its
 * assets, the agent APIs (token via `Authorization: Bearer` or `?token=`), GET /api/stats
 * for the console header and GET /metrics for Prometheus. `createAgentConsole` builds the
 * handoff service, the agent socket and these routes as one app concern, plus the engine
 * wrapper that reports buyer turns for metrics and SLA clocks.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { AppContext, Concern } from '../app';
import type { ConversationState } from '../model/conversation';
import type { TurnResult } from '../dialogue/types';
import { AppError } from '../errors';
import { createAgentRegistry, displayNameOf, type AgentDef, type AgentRegistry } from '../handoff/agents';
import { HandoffService, RESOLUTIONS } from '../handoff/service';
import type { SlaConfig } from '../handoff/sla';
import { orderCardFor } from '../handoff/view';
import { watchHandoffs, withTurnHooks } from '../handoff/wiring';
import { createMetrics, type Metrics } from '../metrics';
import { AgentSockets, tokenFrom } from './agent-socket';
import { registerSearchRoutes } from './http-search';
import { registerFeedbackRoutes } from './http-feedback';
import { readJsonBody, sendJson, type RouteContext } from './router';

export interface AgentConsoleOptions {
  /** Defaults to the accounts in config (AGENT_TOKENS or the generated demo agents). */
  agents?: AgentRegistry;
  metrics?: Metrics;
  /** Clock for SLA clocks and the sweeper (tests pass a fake one). */
  clock?: () => Date;
  sla?: Partial<SlaConfig>;
  /** Sweeper period; 0 disables it (tests call `handoff.sweep()` themselves). Default 1000. */
  sweepIntervalMs?: number;
  disconnectGraceMs?: number;
}

export interface AgentConsole {
  /** Register with createApp({ concerns: [console.concern] }). */
  readonly concern: Concern;
  /** Wrap the engine given to createApp so each buyer turn is reported. */
  wrapEngine<E extends { handleMessage(conv: ConversationState, text: string): TurnResult | Promise<TurnResult> }>(engine: E): E;
  readonly metrics: Metrics;
  /** The handoff service, once the concern has been registered. */
  readonly handoff: HandoffService | undefined;
  /** Resolves once the Bus subscriptions are live. */
  readonly ready: Promise<void>;
}

/** Builds the agent console concern. */
export function createAgentConsole(options: AgentConsoleOptions = {}): AgentConsole {
  const metrics = options.metrics ?? createMetrics();
  let service: HandoffService | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));

  const concern: Concern = (ctx) => {
    const { config, store, shop, logger, engine } = ctx.deps;
    const log = logger.child({ component: 'agent-console' });
    const agents = options.agents ?? createAgentRegistry(config.agents.map((a): AgentDef => ({ ...a })));
    const clock = options.clock ?? ctx.deps.clock;
    const handoff = new HandoffService({
      store,
      agents,
      conversations: ctx.conversations,
      metrics,
      clock,
      suggest: (conv) => engine.suggest(conv),
      orderCard: (conv) => orderCardFor(shop, conv),
      buyerName: (id) => shop.buyer(id)?.name,
      lockMs: config.limits.turnLockMs,
      presenceLeaseMs: config.presence.leaseMs,
      awayGraceMs: config.presence.awayGraceMs,
      ...(options.sla ? { sla: options.sla } : {}),
      onError: (err, context) => log.error({ err, context }, 'handoff error'),
      noAgentNotice: () => {
        const r = engine.systemNotice?.('no_agent');
        return r
          ? { text: r.text, meta: { intent: r.intent, category: r.category, ...(r.templateId ? { templateId: r.templateId } : {}) } }
          : undefined;
      },
    });
    service = handoff;
    metrics.setLiveSource(async () => {
      const s = await handoff.stats();
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
    });
    let unwatch: (() => Promise<void>) | undefined;
    Promise.all([
      sockets.start(),
      watchHandoffs(store, handoff, config.instanceId, (err) => log.error({ err }, 'handoff routing failed')).then((u) => {
        unwatch = u;
      }),
    ]).then(markReady, (err: unknown) => log.error({ err }, 'agent console subscriptions failed'));
    const interval = options.sweepIntervalMs ?? 1000;
    const stopSweeper = interval > 0 ? handoff.startSweeper(interval) : () => {};
    // This instance keeps the presence lease of every agent whose console is connected here.
    const stopLeases = handoff.startLeaseRenewal(() => sockets.connectedAgents, config.presence.renewMs);
    ctx.onClose(async () => {
      stopSweeper();
      stopLeases();
      await sockets.stop();
      await unwatch?.();
    });

    ctx.router.socket('/ws/agent', (ws, req, { url }) => sockets.accept(ws, req, url));
    registerAgentRoutes(ctx, agents, handoff, metrics);
    registerSearchRoutes(ctx, agents, handoff);
    registerFeedbackRoutes(ctx, agents, metrics);
  };

  return {
    concern,
    metrics,
    ready,
    get handoff() {
      return service;
    },
    wrapEngine(engine) {
      // The service exists once the concern ran (inside createApp, before any buyer connects).
      const proxy = {
        onBuyerTurn: (info: Parameters<HandoffService['onBuyerTurn']>[0]) => service?.onBuyerTurn(info) ?? Promise.resolve(),
      } as unknown as HandoffService;
      return withTurnHooks(engine, proxy, options.clock);
    },
  };
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
export function registerAgentRoutes(ctx: AppContext, agents: AgentRegistry, handoff: HandoffService, metrics: Metrics): void {
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
    authed(async ({ res }) => sendJson(res, 200, await handoff.stats())),
  );
  router.get(
    '/api/agent/me',
    authed(async ({ res }, agent) =>
      sendJson(res, 200, {
        id: agent.id,
        name: displayNameOf(agent),
        maxChats: agent.maxChats,
        conversations: await handoff.assignments(agent.id),
      }),
    ),
  );
  router.get(
    '/api/agent/queue',
    authed(async ({ res }) => sendJson(res, 200, { queue: await handoff.queueView() })),
  );
  router.get(
    '/api/agent/agents',
    authed(async ({ res }) => sendJson(res, 200, { agents: await handoff.agentsView() })),
  );
  router.get(
    '/api/agent/conversations/:id',
    authed(async ({ res, params }, agent) => {
      const id = params['id'] ?? '';
      // Agents see the chats they hold and the ones waiting in the queue, nothing else.
      const held = await handoff.assignments(agent.id);
      const queued = (await handoff.queueView()).some((q) => q.conversationId === id);
      if (!held.includes(id) && !queued) throw new AppError('FORBIDDEN', 'You do not hold this conversation');
      const frame = await handoff.conversationFrame(id);
      if (!frame) throw new AppError('NOT_FOUND', 'No such conversation');
      sendJson(res, 200, frame);
    }),
  );
  router.post(
    '/api/agent/presence',
    authed(async (c, agent) => {
      await handoff.setPresence(agent.id, (await body(c.req, presenceBody)).status);
      ok(c);
    }),
  );
  router.post(
    '/api/agent/conversations/:id/pick',
    authed(async (c, agent) => {
      await handoff.pick(agent.id, c.params['id'] ?? '');
      ok(c);
    }),
  );
  router.post(
    '/api/agent/conversations/:id/messages',
    authed(async (c, agent) => {
      const b = await body(c.req, messageBody);
      const stored = await handoff.sendMessage(agent.id, c.params['id'] ?? '', b.text, {
        ...(b.suggestionIndex !== undefined ? { suggestionIndex: b.suggestionIndex } : {}),
      });
      sendJson(c.res, 200, { seq: stored.seq });
    }),
  );
  router.post(
    '/api/agent/conversations/:id/notes',
    authed(async (c, agent) => {
      sendJson(c.res, 200, await handoff.addNote(agent.id, c.params['id'] ?? '', (await body(c.req, noteBody)).text));
    }),
  );
  router.post(
    '/api/agent/conversations/:id/transfer',
    authed(async (c, agent) => {
      const b = await body(c.req, transferBody);
      await handoff.transfer(agent.id, c.params['id'] ?? '', b.toAgentId);
      ok(c);
    }),
  );
  router.post(
    '/api/agent/conversations/:id/return',
    authed(async (c, agent) => {
      await handoff.returnToBot(agent.id, c.params['id'] ?? '');
      ok(c);
    }),
  );
  router.post(
    '/api/agent/conversations/:id/close',
    authed(async (c, agent) => {
      await handoff.close(agent.id, c.params['id'] ?? '', (await body(c.req, closeBody)).resolution);
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
