/**
 * Finding conversations for the agent console: by buyer (name, id or visitor label), order
 * number, phone, message text or date, within a view (mine, queued, all open, closed, all)
 * and filtered by intent, priority and agent. Works over the Store interface only, so the
 * memory and Redis stores answer the same way without a store change.
 *
 * Cost: one pass over the stored conversations (plus their messages when the query needs
 * text or the agent filter). That is fine for a shop's live and recent chats; a shop with
 * years of history wants an index (Redis Search, a database) behind the same function.
 *
 * Privacy: phone numbers never leave here unmasked: snippets go through maskPhonesInText and
 * a phone match is reported as "138****5678".
 */
import type { ConversationState, Priority } from '../model/conversation';
import { maskPhone } from '../replies/helpers';
import { maskPhonesInText } from '../replies/mask-phones';
import type { ShopData } from '../shop/types';
import type { Store, StoredMessage } from '../store/types';
import { readCsat, type CsatAnswer } from '../annotations/csat';
import { readTags } from '../annotations/tags';
import { visitorLabel, visitorTag } from './visitor-label';

export const SEARCH_VIEWS = ['mine', 'queued', 'open', 'closed', 'all'] as const;
export type SearchView = (typeof SEARCH_VIEWS)[number];

export interface SearchQuery {
  /** Free text: buyer name / id / visitor label, order number, phone, or words of a message. */
  text?: string;
  view: SearchView;
  intent?: string;
  priority?: Priority;
  /** Agent id: the chats they hold or wrote in. */
  agent?: string;
  /** A tag agents put on the chat. */
  tag?: string;
  /** Shop-local dates, YYYY-MM-DD, inclusive: the chat was active on one of those days. */
  from?: string;
  to?: string;
  limit?: number;
}

export type MatchKind = 'buyer' | 'order' | 'phone' | 'text';

export interface SearchHit {
  id: string;
  buyerId: string;
  /** Buyer's name when the shop knows them, else the visitor label (访客#3F2A). */
  label: string;
  known: boolean;
  status: ConversationState['status'];
  priority?: Priority;
  reason?: string;
  assignedAgent?: string;
  /** Agents who wrote in the chat (only filled when messages were read). */
  agents: string[];
  intent?: string;
  resolution?: string;
  createdAt: string;
  updatedAt: string;
  /** Why it matched and what matched, phones masked. */
  matchedBy?: MatchKind;
  snippet?: string;
  /** Last buyer-visible message, phones masked. */
  lastText?: string;
  tags: string[];
  /** The buyer's rating at close. */
  csat?: CsatAnswer;
}

export interface SearchDeps {
  store: Store;
  shop: ShopData;
  /** Shop wall clock offset for date filters (China: 480). */
  utcOffsetMinutes: number;
}

const DEFAULT_LIMIT = 50;
const MESSAGE_LIMIT = 500;
const DAY_MS = 86_400_000;

/** Buyer display label: the shop's name for them or the visitor label. */
export function buyerLabel(shop: ShopData, buyerId: string): { label: string; known: boolean } {
  const name = shop.buyer(buyerId)?.name;
  return name ? { label: name, known: true } : { label: visitorLabel(buyerId), known: false };
}

/** Conversations matching the query, most recently active first. `viewer` is the asking agent. */
export async function searchConversations(deps: SearchDeps, query: SearchQuery, viewer: string): Promise<SearchHit[]> {
  const { store } = deps;
  const candidates = (await candidatesFor(store, query.view, viewer)).filter((c) => passesCheapFilters(deps, c, query));
  candidates.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
  const limit = query.limit ?? DEFAULT_LIMIT;
  const text = normalize(query.text ?? '');
  const hits: SearchHit[] = [];
  for (const conv of candidates) {
    if (hits.length >= limit) break;
    const messages = await store.messagesAfter(conv.id, 0, MESSAGE_LIMIT);
    const agents = [...new Set(messages.filter((m) => m.from === 'agent' && m.agentId).map((m) => m.agentId as string))];
    if (query.agent && conv.assignedAgent !== query.agent && !agents.includes(query.agent)) continue;
    const match = text ? matchConversation(deps.shop, conv, messages, text) : undefined;
    if (text && !match) continue;
    const tags = await readTags(store, conv.id);
    if (query.tag && !tags.includes(query.tag)) continue;
    hits.push(await annotated(store, hitOf(deps.shop, conv, messages, agents, match), tags));
  }
  return hits;
}

/** Every conversation of one buyer, newest first (the contact panel). */
export async function conversationsOfBuyer(deps: SearchDeps, buyerId: string, limit = 20): Promise<SearchHit[]> {
  const all = (await deps.store.listConversations()).filter((c) => c.buyerId === buyerId);
  all.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
  return Promise.all(
    all.slice(0, limit).map(async (conv) => {
      const messages = await deps.store.messagesAfter(conv.id, 0, MESSAGE_LIMIT);
      const agents = [...new Set(messages.filter((m) => m.from === 'agent' && m.agentId).map((m) => m.agentId as string))];
      return annotated(deps.store, hitOf(deps.shop, conv, messages, agents, undefined));
    }),
  );
}

async function candidatesFor(store: Store, view: SearchView, viewer: string): Promise<ConversationState[]> {
  switch (view) {
    case 'mine': {
      const ids = await store.listAssignments(viewer);
      const convs = await Promise.all(ids.map((id) => store.getConversation(id)));
      return convs.filter((c): c is ConversationState => c !== null);
    }
    case 'queued':
      return store.listConversations({ status: 'queued' });
    case 'closed':
      return store.listConversations({ status: 'closed' });
    case 'open': {
      const [queued, agent] = await Promise.all([store.listConversations({ status: 'queued' }), store.listConversations({ status: 'agent' })]);
      return [...queued, ...agent];
    }
    case 'all':
      return store.listConversations();
  }
}

function passesCheapFilters(deps: SearchDeps, conv: ConversationState, q: SearchQuery): boolean {
  if (q.priority && conv.handoff?.priority !== q.priority) return false;
  if (q.intent && !conv.turns.some((t) => t.intent === q.intent)) return false;
  if (q.from || q.to) {
    const start = q.from ? shopDayStart(q.from, deps.utcOffsetMinutes) : -Infinity;
    const end = q.to ? shopDayStart(q.to, deps.utcOffsetMinutes) + DAY_MS : Infinity;
    const created = Date.parse(conv.createdAt);
    const updated = Date.parse(conv.updatedAt);
    if (updated < start || created >= end) return false;
  }
  return true;
}

/** Epoch ms of 00:00 shop time on a YYYY-MM-DD date. */
export function shopDayStart(date: string, utcOffsetMinutes: number): number {
  return Date.parse(`${date}T00:00:00Z`) - utcOffsetMinutes * 60_000;
}

function normalize(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

function matchConversation(
  shop: ShopData,
  conv: ConversationState,
  messages: readonly StoredMessage[],
  text: string,
): { kind: MatchKind; snippet: string } | undefined {
  const buyer = shop.buyer(conv.buyerId);
  const label = buyer?.name ?? visitorLabel(conv.buyerId);
  const tag = visitorTag(conv.buyerId).toLowerCase();
  const bare = text.replace(/^访客#?/, '').replace(/^#/, '');
  if (normalize(label).includes(text) || conv.buyerId.toLowerCase() === text || (!buyer && bare.length === 4 && bare === tag)) {
    return { kind: 'buyer', snippet: label };
  }

  const orders = shop.ordersByBuyer(conv.buyerId);
  const orderNumbers = new Set([...orders.map((o) => o.number), ...(conv.orderId ? [conv.orderId] : [])]);
  for (const n of orderNumbers) if (n.toLowerCase() === text) return { kind: 'order', snippet: `订单 ${n}` };

  const digits = digitsOf(text);
  if (digits.length >= 7 && digits.length === text.replace(/[\s+-]/g, '').length) {
    const phones = [...orders.map((o) => o.address.phone), ...(buyer ? [buyer.address.phone] : [])];
    const phone = phones.find((p) => digitsOf(p).endsWith(digits) || digitsOf(p) === digits);
    if (phone) return { kind: 'phone', snippet: `手机 ${maskPhone(phone)}` };
    const said = messages.find((m) => digitsOf(m.text).includes(digits) && m.from === 'buyer');
    if (said) return { kind: 'phone', snippet: snippetAround(said.text, Math.max(0, said.text.indexOf(digits)), digits.length) };
  }

  for (const m of messages) {
    const at = normalize(m.text).indexOf(text);
    if (at >= 0) return { kind: 'text', snippet: snippetAround(m.text, at, text.length) };
  }
  return undefined;
}

/** Up to ~60 characters around the match, phones masked. */
function snippetAround(text: string, at: number, length: number): string {
  const start = Math.max(0, at - 20);
  const end = Math.min(text.length, at + length + 40);
  return maskPhonesInText(`${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`);
}

function hitOf(
  shop: ShopData,
  conv: ConversationState,
  messages: readonly StoredMessage[],
  agents: string[],
  match: { kind: MatchKind; snippet: string } | undefined,
): SearchHit {
  const { label, known } = buyerLabel(shop, conv.buyerId);
  const last = [...messages].reverse().find((m) => m.from !== 'system');
  const turn = conv.turns[conv.turns.length - 1];
  return {
    id: conv.id,
    buyerId: conv.buyerId,
    label,
    known,
    status: conv.status,
    ...(conv.handoff ? { priority: conv.handoff.priority, reason: conv.handoff.reason } : {}),
    ...(conv.assignedAgent ? { assignedAgent: conv.assignedAgent } : {}),
    agents,
    ...(turn ? { intent: turn.intent } : {}),
    ...(conv.closedResolution ? { resolution: conv.closedResolution } : {}),
    createdAt: conv.createdAt,
    updatedAt: conv.updatedAt,
    ...(match ? { matchedBy: match.kind, snippet: match.snippet } : {}),
    ...(last ? { lastText: maskPhonesInText(last.text.length > 80 ? `${last.text.slice(0, 80)}…` : last.text) } : {}),
    tags: [],
  };
}

/** Adds the tags and the CSAT answer kept beside the conversation. */
async function annotated(store: Store, hit: SearchHit, tags?: string[]): Promise<SearchHit> {
  const [t, csat] = await Promise.all([tags ?? readTags(store, hit.id), readCsat(store, hit.id)]);
  return { ...hit, tags: t, ...(csat ? { csat: { ...csat, ...(csat.comment ? { comment: maskPhonesInText(csat.comment) } : {}) } } : {}) };
}
