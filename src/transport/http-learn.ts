/**
 * HTTP edge of learning from the shop (src/learn): agents mark misunderstood buyer messages,
 * managers review them. Thin: auth, zod, one service call, JSON.
 *
 * Agents (agent token, `Authorization: Bearer` or `?token=`):
 *   GET  /api/corrections/intents                      every intent with its Chinese name (managers may read it too)
 *   GET  /api/corrections/candidates?conversationId&seq the picker: the message, what the bot understood, today's top 3
 *   GET  /api/corrections?conversationId=…              that conversation's corrections
 *   POST /api/corrections {conversationId, seq, intent} 201 when recorded, 200 when that message was marked before
 * Managers (manager token; no token 401, another token 403):
 *   GET  /api/corrections/review?status=pending|accepted|rejected|all
 *   POST /api/corrections/:id/accept {intent?, text?}   the phrase becomes an example in the draft
 *   POST /api/corrections/:id/reject {reason?}
 * An unknown intent is 400; a draft the new example would break is 422 with the editor's errors.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Concern } from '../app';
import { AppError } from '../errors';
import { createAgentRegistry, type AgentDef } from '../handoff/agents';
import { createLearnService, type LearnDeps } from '../learn/learn-service';
import type { Metrics } from '../metrics';
import { scriptMessageOf } from '../scripts/errors';
import { tokenFrom } from './agent-socket';
import { requireManager } from './http-scripts';
import { httpStatusFor, readJsonBody, sendJson, type RouteContext, type RouteHandler } from './router';

export interface LearnRoutesOptions {
  /** The script editor: accepted phrases go into its shared draft. */
  editor: LearnDeps['editor'];
  /** The serving scripts (the registry's getScripts). */
  scripts: LearnDeps['scripts'];
  metrics?: Pick<Metrics, 'corrections'>;
}

const conversationId = z.string().min(1).max(200);
const seq = z.coerce.number().int().min(1).max(1e9);
const intent = z.string().min(1).max(100);
const markBody = z.object({ conversationId, seq: z.number().int().min(1).max(1e9), intent });
const candidatesQuery = z.object({ conversationId, seq });
const acceptBody = z.object({ intent: intent.optional(), text: z.string().max(2000).optional() }).nullable();
const rejectBody = z.object({ reason: z.string().trim().max(200).optional() }).nullable();
const statusQuery = z.enum(['pending', 'accepted', 'rejected', 'all']);

function check<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('BAD_FRAME', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

async function body<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  return check(schema, await readJsonBody(req, 8 * 1024));
}

/** The learning routes as an app concern: `createApp({ concerns: [learnConcern({ editor, scripts, metrics })] })`. */
export function learnConcern(options: LearnRoutesOptions): Concern {
  return (ctx) => {
    const { router } = ctx;
    const metrics = options.metrics;
    const learn = createLearnService({
      store: ctx.deps.store,
      scripts: options.scripts,
      editor: options.editor,
      clock: ctx.deps.clock,
      ...(metrics ? { onEvent: (event, intent) => metrics.corrections.inc({ event, intent }) } : {}),
    });
    const agents = createAgentRegistry(ctx.deps.config.agents.map((a): AgentDef => ({ ...a })));
    const managers = ctx.deps.config.managers;

    const asAgent =
      (fn: (c: RouteContext, agent: AgentDef) => Promise<void>): RouteHandler =>
      async (c) => {
        const agent = agents.authenticate(tokenFrom(c.req, c.url));
        if (!agent) throw new AppError('UNAUTHORIZED');
        await fn(c, agent);
      };
    const asManager =
      (fn: (c: RouteContext, manager: string) => Promise<void>): RouteHandler =>
      async (c) => {
        const manager = requireManager(managers, c.req, c.url);
        try {
          await fn(c, manager.id);
        } catch (err) {
          // The draft refused the example: show the editor's own errors, in Chinese.
          const script = err instanceof AppError ? scriptMessageOf(err) : undefined;
          if (!(err instanceof AppError) || (err.code !== 'INVALID_SCRIPT' && !script)) throw err;
          const details = (err.details ?? {}) as { errors?: unknown };
          const error = { code: err.code, message: err.message, ...(script ? { scriptCode: script.code, localized: script.localized } : {}) };
          sendJson(c.res, err.code === 'INVALID_SCRIPT' ? 422 : httpStatusFor(err.code), { error, errors: details.errors ?? [] });
        }
      };

    router.get('/api/corrections/intents', async (c) => {
      const token = tokenFrom(c.req, c.url);
      if (!agents.authenticate(token)) requireManager(managers, c.req, c.url);
      sendJson(c.res, 200, { intents: learn.intents() });
    });
    router.get(
      '/api/corrections/candidates',
      asAgent(async (c) => {
        const q = check(candidatesQuery, Object.fromEntries(c.url.searchParams));
        sendJson(c.res, 200, await learn.candidates(q.conversationId, q.seq));
      }),
    );
    router.get(
      '/api/corrections',
      asAgent(async (c) => {
        const id = check(conversationId, c.url.searchParams.get('conversationId') ?? '');
        sendJson(c.res, 200, { corrections: await learn.forConversation(id) });
      }),
    );
    router.post(
      '/api/corrections',
      asAgent(async (c, agent) => {
        const b = await body(c.req, markBody);
        const { correction, created } = await learn.mark({ ...b, agentId: agent.id });
        sendJson(c.res, created ? 201 : 200, { correction, created });
      }),
    );

    router.get(
      '/api/corrections/review',
      asManager(async (c) => {
        const status = check(statusQuery, c.url.searchParams.get('status') ?? 'pending');
        sendJson(c.res, 200, { corrections: await learn.review(status) });
      }),
    );
    router.post(
      '/api/corrections/:id/accept',
      asManager(async (c, manager) => {
        const b = (await body(c.req, acceptBody)) ?? {};
        const result = await learn.accept(c.params['id'] ?? '', manager, {
          ...(b.intent !== undefined ? { intent: b.intent } : {}),
          ...(b.text !== undefined ? { text: b.text } : {}),
        });
        sendJson(c.res, 200, result);
      }),
    );
    router.post(
      '/api/corrections/:id/reject',
      asManager(async (c, manager) => {
        const b = (await body(c.req, rejectBody)) ?? {};
        sendJson(c.res, 200, { correction: await learn.reject(c.params['id'] ?? '', manager, b.reason || undefined) });
      }),
    );
  };
}
