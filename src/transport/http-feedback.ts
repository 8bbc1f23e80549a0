/**
 * HTTP edge of conversation tags (agents) and the buyer's rating at close (CSAT).
 *
 * Tags: GET/POST /api/agent/conversations/:id/tags, DELETE …/tags/:tag (agent token).
 * CSAT: POST /api/csat from the widget, proved by the buyer's own resume token; the widget runs
 * on the shop's pages, so the body is sent as text/plain (no CORS preflight) and the answer
 * allows any origin. Only a closed conversation of that buyer can be rated, once.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { AppContext } from '../app';
import { recordCsat } from '../annotations/csat';
import { changeTag, normalizeTag, readTags, MAX_TAGS } from '../annotations/tags';
import { AppError } from '../errors';
import type { AgentDef, AgentRegistry } from '../handoff/agents';
import type { Metrics } from '../metrics';
import { tokenFrom } from './agent-socket';
import { readJsonBody, sendJson, type RouteContext } from './router';

const tagBody = z.object({ tag: z.string().max(100) });
const csatBody = z.object({
  buyerId: z.string().min(1).max(200),
  resumeToken: z.string().min(1).max(200),
  conversationId: z.string().min(1).max(200),
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(200).optional(),
});

async function parse<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const parsed = schema.safeParse(await readJsonBody(req, 4 * 1024));
  if (!parsed.success) throw new AppError('BAD_FRAME', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Registers the tag and CSAT routes. */
export function registerFeedbackRoutes(ctx: AppContext, agents: AgentRegistry, metrics: Metrics): void {
  const { router } = ctx;
  const { store } = ctx.deps;
  const now = (): string => ctx.deps.clock().toISOString();
  const authed = (fn: (c: RouteContext, agent: AgentDef) => Promise<void>) => async (c: RouteContext) => {
    const agent = agents.authenticate(tokenFrom(c.req, c.url));
    if (!agent) throw new AppError('UNAUTHORIZED');
    await fn(c, agent);
  };
  const conversationOf = async (c: RouteContext): Promise<string> => {
    const id = c.params['id'] ?? '';
    if (!(await store.getConversation(id))) throw new AppError('NOT_FOUND', 'No such conversation');
    return id;
  };

  router.get(
    '/api/agent/conversations/:id/tags',
    authed(async (c) => sendJson(c.res, 200, { tags: await readTags(store, await conversationOf(c)) })),
  );
  router.post(
    '/api/agent/conversations/:id/tags',
    authed(async (c, agent) => {
      const id = await conversationOf(c);
      const tag = normalizeTag((await parse(c.req, tagBody)).tag);
      if (!tag) throw new AppError('BAD_FRAME', 'tag: 1-12 characters, no control characters or angle brackets');
      const current = await readTags(store, id);
      if (current.includes(tag)) return sendJson(c.res, 200, { tags: current });
      if (current.length >= MAX_TAGS) throw new AppError('CONFLICT', `A conversation has at most ${MAX_TAGS} tags`);
      const tags = await changeTag(store, id, tag, 'add', agent.id, now());
      metrics.tags.inc({ tag });
      sendJson(c.res, 200, { tags });
    }),
  );
  router.delete(
    '/api/agent/conversations/:id/tags/:tag',
    authed(async (c, agent) => {
      const id = await conversationOf(c);
      const tag = normalizeTag(c.params['tag'] ?? '');
      const current = await readTags(store, id);
      if (!tag || !current.includes(tag)) return sendJson(c.res, 200, { tags: current });
      sendJson(c.res, 200, { tags: await changeTag(store, id, tag, 'remove', agent.id, now()) });
    }),
  );

  router.post('/api/csat', async (c) => {
    c.res.setHeader('access-control-allow-origin', '*');
    const limit = await store.hit(`csat:${c.ip}`, 60_000, 30);
    if (!limit.allowed) throw new AppError('RATE_LIMITED');
    const b = await parse(c.req, csatBody);
    const session = await store.getBuyerSession(b.buyerId);
    if (!session || !sameToken(session.resumeToken, b.resumeToken)) throw new AppError('UNAUTHORIZED', 'Unknown buyer session');
    const conv = await store.getConversation(b.conversationId);
    if (!conv || session.conversationId !== conv.id) throw new AppError('FORBIDDEN', "Not this buyer's conversation");
    if (conv.status !== 'closed') throw new AppError('CONFLICT', 'Only a closed conversation can be rated');
    const { recorded, answer } = await recordCsat(store, conv.id, { score: b.score, at: now(), ...(b.comment ? { comment: b.comment } : {}) });
    if (recorded) metrics.csat.inc({ score: String(answer.score) });
    sendJson(c.res, 200, { recorded, score: answer.score });
  });
}
