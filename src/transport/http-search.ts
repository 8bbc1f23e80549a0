/**
 * HTTP edge of conversation search for the agent console (agent token, as the other agent
 * APIs): GET /api/agent/search finds conversations, GET /api/agent/history/:id shows one
 * read-only (closed ones included), GET /api/agent/contacts/:id the buyer's other chats and
 * orders. Matching lives in src/search/; this file parses the query and shapes the JSON.
 */
import { z } from 'zod';
import type { AppContext } from '../app';
import { AppError } from '../errors';
import type { AgentDef, AgentRegistry } from '../handoff/agents';
import type { Handoff } from '../handoff/compose';
import type { Entity } from '../nlu/types';
import { normalizeTag } from '../annotations/tags';
import { addressLine } from '../search/contact';
import { buyerLabel, conversationsOfBuyer, searchConversations, SEARCH_VIEWS, type SearchDeps } from '../search/conversation-search';
import { maskPhonesInText } from '../replies/mask-phones';
import { tokenFrom } from './agent-socket';
import { sendJson, type RouteContext } from './router';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const searchParams = z.object({
  q: z.string().max(100).optional(),
  view: z.enum(SEARCH_VIEWS).default('all'),
  intent: z.string().max(100).optional(),
  priority: z.enum(['normal', 'high', 'urgent']).optional(),
  agent: z.string().max(40).optional(),
  tag: z.string().max(40).optional(),
  from: date.optional(),
  to: date.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

/** Query string → object, empty values dropped (an empty <select> sends ""). */
function paramsOf(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (v.trim() !== '' && k !== 'token') out[k] = v.trim();
  return out;
}

/** A fact with any phone number in it masked. */
function maskedFact(f: Entity): Entity {
  const masked = { ...f, text: maskPhonesInText(f.text) } as Entity;
  if ('value' in masked && typeof masked.value === 'string') (masked as { value: string }).value = maskPhonesInText(masked.value);
  return masked;
}

/** Registers the search, history and contact routes beside the agent APIs. */
export function registerSearchRoutes(ctx: AppContext, agents: AgentRegistry, handoff: Handoff): void {
  const { router } = ctx;
  const { store, shop } = ctx.deps;
  const deps: SearchDeps = { store, shop, utcOffsetMinutes: shop.policy.utcOffsetMinutes };
  const authed = (fn: (c: RouteContext, agent: AgentDef) => Promise<void>) => async (c: RouteContext) => {
    const agent = agents.authenticate(tokenFrom(c.req, c.url));
    if (!agent) throw new AppError('UNAUTHORIZED');
    await fn(c, agent);
  };

  router.get(
    '/api/agent/search',
    authed(async ({ res, url }, agent) => {
      const parsed = searchParams.safeParse(paramsOf(url));
      if (!parsed.success) throw new AppError('BAD_FRAME', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const q = parsed.data;
      const results = await searchConversations(
        deps,
        {
          view: q.view,
          ...(q.q ? { text: q.q } : {}),
          ...(q.intent ? { intent: q.intent } : {}),
          ...(q.priority ? { priority: q.priority } : {}),
          ...(q.agent ? { agent: q.agent } : {}),
          ...(q.tag ? { tag: normalizeTag(q.tag) ?? q.tag } : {}),
          ...(q.from ? { from: q.from } : {}),
          ...(q.to ? { to: q.to } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
        },
        agent.id,
      );
      sendJson(res, 200, { results });
    }),
  );

  router.get(
    '/api/agent/history/:id',
    authed(async ({ res, params }, agent) => {
      const id = params['id'] ?? '';
      const frame = await handoff.views.conversationFrame(id);
      if (!frame) throw new AppError('NOT_FOUND', 'No such conversation');
      const held = (await handoff.views.assignments(agent.id)).includes(id);
      const conv = frame.conversation;
      // Only the agent holding the chat may need to call a number the buyer typed.
      const history = held ? conv.history : conv.history.map((h) => ({ ...h, text: maskPhonesInText(h.text) }));
      const facts = held ? conv.facts : conv.facts.map(maskedFact);
      sendJson(res, 200, {
        conversation: { ...conv, history, facts, ...buyerLabel(shop, conv.buyerId) },
        intent: frame.intent,
        held,
      });
    }),
  );

  router.get(
    '/api/agent/contacts/:id',
    authed(async ({ res, params }) => {
      const conv = await store.getConversation(params['id'] ?? '');
      if (!conv) throw new AppError('NOT_FOUND', 'No such conversation');
      const buyer = shop.buyer(conv.buyerId);
      const orders = shop.ordersByBuyer(conv.buyerId).map((o) => ({
        number: o.number,
        status: o.status,
        total: o.total,
        createdAt: o.createdAt,
        items: o.items.map((i) => `${i.name} ×${i.quantity}`),
        address: addressLine(o.address),
      }));
      sendJson(res, 200, {
        buyerId: conv.buyerId,
        ...buyerLabel(shop, conv.buyerId),
        ...(buyer ? { returning: buyer.returning } : {}),
        conversations: await conversationsOfBuyer(deps, conv.buyerId),
        orders,
      });
    }),
  );
}
