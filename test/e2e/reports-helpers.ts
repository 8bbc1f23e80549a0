/**
 * A shop day for the report tests, made through the real product: the real app, engine,
 * agent console and memory store on a clock the test moves forward. Three buyers talk to the
 * bot over the buyer socket; an agent answers handed-off chats over the agent socket (one
 * with a suggested reply, one in words of their own, late) and closes them; the buyers rate
 * them through POST /api/csat. The figures the report must show are worked out in EXPECTED.
 */
import { shopDay } from '../../src/reports/period';
import { reportsConcern } from '../../src/transport/http-reports';
import type { ConversationState } from '../../src/model/conversation';
import { TestClient, type Frame } from '../transport/harness';
import { say, startAgentServer, TOKENS, type AgentServer } from './agent-helpers';

export const MANAGER_TOKEN = 'manager-tok-reports';

/**
 * What the seeded day adds up to (hand-computed from the script below):
 *  - buyer messages: 5 (bargaining, all answered, a deal at ¥433 of ¥468) + 2 (unclear twice:
 *    a clarifying question, then a low-confidence handoff) + 1 (asks for a person) = 8;
 *    auto-answered 5 + 1 = 6 → 75 %.
 *  - handoffs: low_confidence 1, explicit_request 1 over 3 conversations → 66.67 %.
 *  - first responses: 2 min (suggestion sent as is) and 8 min (own words: suggestions ignored,
 *    first-response SLA breached) → p50 2 min, p90 8 min; 1 breach of 2.
 *  - CSAT 4 and 2 → 3.0 of 2 answers; suggestions 1 of 2 used → 50 %.
 */
export const EXPECTED = {
  buyerMessages: 8,
  autoAnswered: 6,
  autoReplyRate: 0.75,
  handoffs: 2,
  handoffRate: 0.6667,
  p50Ms: 120_000,
  p90Ms: 480_000,
  csatAverage: 3,
  misunderstood: 'asdkjh 乱七八糟',
};

export interface SeededShop {
  s: AgentServer;
  /** Moves the server's clock forward. */
  advance(ms: number): void;
  /** The server's clock now. */
  now(): number;
  conversationIds: string[];
}

/** Starts the server with the reports routes and a movable clock. */
export async function startReportServer(): Promise<Omit<SeededShop, 'conversationIds'>> {
  // Noon of the shop's today (UTC+8): the whole day stays on one shop day whenever the test runs.
  let now = Date.parse(`${shopDay(Date.now(), 480)}T12:00:00+08:00`);
  const clock = (): Date => new Date(now);
  const s = await startAgentServer({
    clock,
    env: {
      MANAGER_TOKENS: `dianzhang:${MANAGER_TOKEN}`,
      // The clock jumps minutes at a time: the agent's presence lease must outlast a jump, renewed often in real time.
      PRESENCE_LEASE_MS: '600000',
      PRESENCE_RENEW_MS: '200',
    },
  });
  // The same concern main.ts registers, on the running app (routes are matched per request).
  reportsConcern({ cacheMs: 0 })(s.app.context);
  return {
    s,
    advance: (ms) => {
      now += ms;
    },
    now: () => now,
  };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sends a buyer line and waits for the bot's answer to it to be stored. */
async function ask(s: AgentServer, buyer: TestClient, conversationId: string, text: string): Promise<void> {
  await say(buyer, text);
  await waitFor(`the bot's answer to ${text}`, async () => {
    const log = await s.store.messagesAfter(conversationId, 0);
    const mine = [...log].reverse().find((m) => m.from === 'buyer' && m.text === text);
    return mine && log.some((m) => m.from === 'bot' && m.meta?.['replyTo'] === mine.seq) ? true : undefined;
  });
}

async function handedTo(s: AgentServer, conversationId: string): Promise<ConversationState> {
  return waitFor('the chat to reach the agent', async () => {
    const c = await s.store.getConversation(conversationId);
    return c?.status === 'agent' && c.handoff ? c : undefined;
  });
}

async function rate(s: AgentServer, welcome: Frame, score: number): Promise<void> {
  const res = await fetch(`${s.url}/api/csat`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ buyerId: welcome['buyerId'], resumeToken: welcome['resumeToken'], conversationId: welcome['conversationId'], score }),
  });
  if (res.status !== 200) throw new Error(`CSAT refused: ${res.status} ${await res.text()}`);
}

/** Plays the shop day described at EXPECTED. */
export async function seedShopDay(shop: Omit<SeededShop, 'conversationIds'>): Promise<SeededShop> {
  const { s, advance } = shop;
  const agent = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
  await agent.nextType('hello');
  // Only xiaomei takes chats.
  const ajie = await TestClient.open(s.agentUrl(TOKENS.ajie));
  await ajie.nextType('hello');
  ajie.send({ type: 'presence', status: 'offline', id: 'off' });
  await ajie.next((f) => f.type === 'ack' && f['id'] === 'off');

  const act = async (frame: Record<string, unknown>): Promise<void> => {
    const id = `a-${Math.random().toString(36).slice(2)}`;
    agent.send({ ...frame, id });
    const reply = await agent.next((f) => (f.type === 'ack' || f.type === 'error') && f['id'] === id, `ack of ${String(frame['type'])}`);
    if (reply.type === 'error') throw new Error(`agent ${String(frame['type'])} refused: ${JSON.stringify(reply)}`);
  };

  // 1. A returning buyer bargains with the bot and takes ¥433.
  const haggler = await s.buyer({ buyerId: 'B002' });
  const c1 = (await s.store.getBuyerSession('B002'))!.conversationId;
  for (const line of ['你好', '这件大衣能便宜点吗', '三百五包邮行不行', '360', '好的，就这个价']) {
    advance(20_000);
    await ask(s, haggler, c1, line);
  }

  // 2. The bot does not understand twice and hands off; xiaomei answers 2 min later with the first suggestion.
  const confused = await s.buyer();
  const w2 = confused.frames.find((f) => f.type === 'welcome')!;
  const c2 = String(w2['conversationId']);
  advance(60_000);
  await ask(s, confused, c2, 'asdkjh 乱七八糟');
  advance(30_000);
  await ask(s, confused, c2, 'asdkjh 乱七八糟');
  const held2 = await handedTo(s, c2);
  advance(120_000);
  await act({ type: 'message', conversationId: c2, text: held2.handoff!.suggestions[0]!.text, suggestionIndex: 0 });
  advance(60_000);
  await act({ type: 'close', conversationId: c2, resolution: 'resolved' });
  await rate(s, w2, 4);

  // 3. A buyer asks for a person; the reply comes 8 minutes later, in the agent's own words.
  const caller = await s.buyer();
  const w3 = caller.frames.find((f) => f.type === 'welcome')!;
  const c3 = String(w3['conversationId']);
  advance(60_000);
  await ask(s, caller, c3, '我要人工客服');
  await handedTo(s, c3);
  advance(480_000);
  await act({ type: 'message', conversationId: c3, text: '不好意思久等了，我来帮您看看～' });
  advance(60_000);
  await act({ type: 'close', conversationId: c3, resolution: 'resolved' });
  await rate(s, w3, 2);

  for (const c of [haggler, confused, caller, agent, ajie]) c.close();
  return { ...shop, conversationIds: [c1, c2, c3] };
}
