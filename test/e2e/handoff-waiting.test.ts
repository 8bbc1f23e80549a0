/**
 * A queued buyer with nobody online is never left in silence (issue 10, bug 2): real server on
 * port 0, real sockets, real engine, scripts and store (see agent-helpers.ts), with a fake
 * clock so business hours (demo/shop/policy.yaml: 09:00-23:00, UTC+8) are what the test says.
 */
import { TestClient } from '../transport/harness';
import { TOKENS, say, startAgentServer, type AgentServer } from './agent-helpers';

/** The no-agent notice (templates/system.yaml, no_agent). */
const NOBODY = /客服暂时不在线|人工客服都不在/;

const botMessages = (b: TestClient) => b.frames.filter((f) => f.type === 'message' && f['from'] === 'bot');

/** 10:00 in the shop (UTC+8) on a fixed day: within business hours. */
const IN_HOURS = new Date('2026-05-06T02:00:00.000Z');
/** 02:00 in the shop: outside them (people are back at 09:00 the same day). */
const AT_NIGHT = new Date('2026-05-05T18:00:00.000Z');

/** Waits for the next bot message whose text matches. */
async function botSays(buyer: TestClient, pattern: RegExp, what: string): Promise<string> {
  const f = await buyer.next((m) => m.type === 'message' && m['from'] === 'bot' && pattern.test(String(m['text'])), what);
  return String(f['text']);
}

describe('queued with nobody online', () => {
  let s: AgentServer;
  let now = IN_HOURS;
  beforeEach(async () => {
    now = IN_HOURS;
    s = await startAgentServer({ waiting: true, clock: () => now });
  });
  afterEach(async () => {
    await s.stop();
  });

  async function queuedBuyer(): Promise<{ buyer: TestClient; id: string }> {
    const buyer = await s.buyer();
    const id = String(buyer.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await say(buyer, '转人工');
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'queued', 'queued');
    return { buyer, id };
  }

  it('plain questions are answered, the buyer hears their place once, a phone left is on the agent card', async () => {
    const { buyer, id } = await queuedBuyer();
    await say(buyer, '什么时候发货？');
    const answer = await buyer.next((f) => f.type === 'message' && f['from'] === 'bot' && /发货|发出/.test(String(f['text'])), 'ship-time answer');
    expect(String(answer['text'])).not.toMatch(/排在第/);
    await botSays(buyer, /排在第1位/, 'place in the queue');
    await say(buyer, '有没有发票');
    await botSays(buyer, /发票/, 'invoice answer');
    await say(buyer, '我手机13812345678，有人了打给我');
    await botSays(buyer, /记下您的联系方式/, 'callback saved');
    // The place in the queue was said once, after the first answer only.
    expect(botMessages(buyer).filter((f) => /排在第/.test(String(f['text'])))).toHaveLength(1);
    const stored = await s.store.getConversation(id);
    expect(stored?.status).toBe('queued');
    expect((await s.store.listQueue()).map((e) => e.conversationId)).toEqual([id]);

    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    const got = await xiaomei.next((f) => f.type === 'conversation', 'conversation');
    expect((got['conversation'] as { callback?: { phone?: string } }).callback?.phone).toBe('13812345678');
    await xiaomei.close();
    await buyer.close();
  });

  it('asking for a person again is answered with where the buyer stands, not silence', async () => {
    const { buyer } = await queuedBuyer();
    await say(buyer, '有人吗');
    await botSays(buyer, /排在第1位/, 'place in the queue');
    await say(buyer, '有人吗');
    await botSays(buyer, /排在第1位/, 'place in the queue again');
    await buyer.close();
  });

  it('不用了 takes the request back: out of the queue, and the bot answers as before', async () => {
    const { buyer, id } = await queuedBuyer();
    await say(buyer, '不用了');
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'returned', 'back with the bot');
    await botSays(buyer, /自己看看|随时叫我/, 'withdraw reply');
    expect((await s.store.getConversation(id))?.status).toBe('bot');
    expect(await s.store.listQueue()).toEqual([]);
    await say(buyer, '什么时候发货？');
    await botSays(buyer, /发货|发出/, 'bot answer');
    const log = await s.store.messagesAfter(id, 0);
    expect(log.filter((m) => m.from === 'bot').map((m) => m.meta?.['intent'])).toContain('human.withdraw');
    expect((await s.store.getConversation(id))?.status).toBe('bot');
    expect(botMessages(buyer).filter((f) => /排在第/.test(String(f['text'])))).toEqual([]);
    await buyer.close();
  });

  it('outside business hours the buyer is told when people are back; within them, not', async () => {
    now = AT_NIGHT;
    const night = await queuedBuyer();
    const text = await botSays(night.buyer, /上班时间/, 'after-hours notice');
    expect(text).toContain('09:00-23:00');
    expect(text).toMatch(/今天\s*09:00/);
    // Routing found nobody online; the after-hours line said so already, so no second notice.
    await s.console.handoff.settled();
    expect((await s.store.messagesAfter(night.id, 0)).filter((m) => NOBODY.test(m.text))).toEqual([]);
    // Nothing the bot said at night promised a person "马上".
    expect(botMessages(night.buyer).filter((f) => /马上/.test(String(f['text'])))).toEqual([]);
    await night.buyer.close();

    now = IN_HOURS;
    const day = await queuedBuyer();
    // Within hours with nobody online, the buyer is told so once.
    await botSays(day.buyer, NOBODY, 'no-agent notice');
    await say(day.buyer, '在吗');
    await botSays(day.buyer, /排在第/, 'place in the queue');
    expect(botMessages(day.buyer).filter((f) => /上班时间/.test(String(f['text'])))).toEqual([]);
    expect(botMessages(day.buyer).filter((f) => NOBODY.test(String(f['text'])))).toHaveLength(1);
    await day.buyer.close();
  });
});
