/**
 * An instance killed with SIGKILL (no shutdown hooks, nothing flushed): its buyers reconnect
 * to another instance with their buyer id and resume token and get the whole conversation;
 * every message that was acknowledged is there with the seq the buyer was given; messages
 * acknowledged but not yet answered are answered by the new instance; a conversation waiting
 * for an agent is still waiting and an agent on the surviving instance gets it.
 */
import type { Store } from '../../src/store/types';
import { TestClient, type Frame } from '../transport/harness';
import { Buyer, TOKENS, expectFrame, until, startRedisPair, type Instance, type RedisPair } from './support/instances';

jest.setTimeout(120_000);

let pair: RedisPair;
let a: Instance;
let b: Instance;
let reader: Store;
const sockets: TestClient[] = [];

beforeAll(async () => {
  // A short turn lease, so a lease held by the killed instance expires quickly.
  const env = { TURN_LOCK_MS: '1500' };
  pair = await startRedisPair('sigkill', ['inst-doomed', 'inst-survivor'], env);
  ({ a, b, reader } = pair);
}, 90_000);

afterAll(() => pair?.teardown(sockets), 60_000);

async function buyerOn(instance: Instance, hello: Record<string, unknown> = {}, label = 'b'): Promise<Buyer> {
  const buyer = await Buyer.open(instance, hello, label);
  sockets.push(buyer.client);
  return buyer;
}

it('buyers resume on another instance with the full history; queued stays queued; nothing acknowledged is lost', async () => {
  const chatty = await buyerOn(a, {}, 'chatty');
  await chatty.ask('你好');
  await chatty.ask('这个有货吗');
  const waiting = await buyerOn(a, {}, 'waiting');
  await waiting.send('我要人工客服');
  await expectFrame(waiting.client, (f) => f.type === 'handoff' && f['status'] === 'queued', 'queued');

  // A burst the instance is still working on when it dies.
  const burst = ['什么时候发货', '能便宜点吗', '包邮吗', '有发票吗', '可以货到付款吗'];
  burst.forEach((text, i) => chatty.client.send({ type: 'message', id: `burst-${i}`, text }));
  await expectFrame(chatty.client, (f) => f.type === 'ack' && f['id'] === 'burst-1', 'second burst ack');
  await a.kill('SIGKILL');
  await chatty.client.waitClosed();
  await waiting.client.waitClosed();

  const acked = chatty.client.frames.filter((f) => f.type === 'ack').map((f) => ({ id: String(f['id']), seq: Number(f['seq']) }));
  const shownBefore = chatty.client.frames.filter((f) => f.type === 'message');
  expect(acked.length).toBeGreaterThanOrEqual(4);
  // Whatever the race above left, one message is certainly stored (acknowledged) and not answered:
  // what the dead instance wrote just before SIGKILL, before its bot turn ran.
  const orphan = await reader.appendMessage(chatty.conversationId, {
    from: 'buyer',
    text: '还在吗',
    clientId: 'orphan',
    at: new Date().toISOString(),
  });
  acked.push({ id: 'orphan', seq: orphan.seq });

  // Same buyer id and token, other instance, from the start.
  const back = await buyerOn(b, { buyerId: chatty.buyerId, resumeToken: chatty.resumeToken, lastSeq: 0 }, 'back');
  expect(back.welcome).toMatchObject({ resumed: true, conversationId: chatty.conversationId, status: 'bot' });
  const lastSeq = Number(back.welcome['lastSeq']);
  await until(() => back.client.frames.some((f) => f.type === 'message' && Number(f['seq']) === lastSeq));
  const history = new Map<number, Frame>(back.client.frames.filter((f) => f.type === 'message').map((f) => [Number(f['seq']), f]));
  // Every acknowledged message is in the history at the seq its ack gave.
  for (const { id, seq } of acked) expect(history.get(seq)).toMatchObject({ from: 'buyer', id });
  // Everything the buyer was shown before is there unchanged.
  for (const m of shownBefore) expect(history.get(Number(m['seq']))).toMatchObject({ from: m['from'], text: m['text'] });

  // Messages acknowledged but not answered before the kill get their answers now, once each.
  const answeredSeqs = async () => {
    const log = await reader.messagesAfter(chatty.conversationId, 0);
    return { log, replyTo: log.filter((m) => m.from === 'bot').map((m) => m.meta?.['replyTo']) };
  };
  await until(async () => {
    const { log, replyTo } = await answeredSeqs();
    return log.filter((m) => m.from === 'buyer').every((m) => replyTo.includes(m.seq));
  }, 100);
  const { log } = await answeredSeqs();
  // The log line comes through the child's stdout, which may trail what it wrote to Redis.
  await until(() => b.logs.some((l) => String(l['msg']).startsWith('answering messages left unanswered')));
  const conv = await reader.getConversation(chatty.conversationId);
  expect(conv?.turns.length).toBe(log.filter((m) => m.from === 'buyer').length);

  // The conversation goes on on the survivor.
  const next = await back.ask('好的谢谢');
  expect(next.reply['from']).toBe('bot');

  // The buyer who was waiting for an agent still is, and an agent on the survivor gets the chat.
  expect((await reader.listQueue()).map((q) => q.conversationId)).toContain(waiting.conversationId);
  const waitingBack = await buyerOn(b, { buyerId: waiting.buyerId, resumeToken: waiting.resumeToken }, 'waiting-back');
  expect(waitingBack.welcome).toMatchObject({ resumed: true, conversationId: waiting.conversationId, status: 'queued' });
  const agent = await TestClient.open(`${b.url.replace('http', 'ws')}/ws/agent?token=${TOKENS.xiaomei}`);
  sockets.push(agent);
  const assigned = await expectFrame(agent, (f) => f.type === 'conversation', 'queued chat assigned');
  expect((assigned['conversation'] as { id: string }).id).toBe(waiting.conversationId);
  await expectFrame(waitingBack.client, (f) => f.type === 'handoff' && f['status'] === 'assigned', 'buyer sees the agent');
});
