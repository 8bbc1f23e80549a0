/**
 * Two real server processes on one Redis (127.0.0.1:6379, a key prefix of their own): a buyer
 * on instance A and agents on instance B see each other's messages, handoffs, typing and
 * presence; a script published on A serves on B; a manager's draft saved on A shows on B;
 * and a buyer with one tab on each instance gets exactly one bot turn per message.
 */
import type { Store } from '../../src/store/types';
import { TestClient, type Frame } from '../transport/harness';
import { Buyer, TOKENS, until, expectFrame, startRedisPair, type Instance, type RedisPair } from './support/instances';

jest.setTimeout(120_000);

let pair: RedisPair;
let a: Instance;
let b: Instance;
let reader: Store;
const sockets: TestClient[] = [];

beforeAll(async () => {
  pair = await startRedisPair('multi', ['inst-a', 'inst-b']);
  ({ a, b, reader } = pair);
}, 90_000);

afterAll(() => pair?.teardown(sockets), 60_000);

function agentSocket(instance: Instance, token: string): Promise<TestClient> {
  return TestClient.open(`${instance.url.replace('http', 'ws')}/ws/agent?token=${encodeURIComponent(token)}`).then((c) => {
    sockets.push(c);
    return c;
  });
}

async function buyerOn(instance: Instance, hello: Record<string, unknown> = {}, label = 'b'): Promise<Buyer> {
  const buyer = await Buyer.open(instance, hello, label);
  sockets.push(buyer.client);
  return buyer;
}

const agentsFrame = (agentId: string, status: string) => (f: Frame) =>
  f.type === 'agents' && (f['agents'] as { agentId: string; status: string }[]).some((x) => x.agentId === agentId && x.status === status);

it('buyer on A, agent on B: handoff, messages both ways, typing and presence cross instances', async () => {
  const xiaomei = await agentSocket(b, TOKENS.xiaomei);
  await expectFrame(xiaomei, (f) => f.type === 'hello', 'hello');
  const ajie = await agentSocket(a, TOKENS.ajie);
  await expectFrame(ajie, (f) => f.type === 'hello', 'hello');
  // xiaomei came online on B and ajie on A; ajie sees both. Each agents frame is a full
  // snapshot and the two updates may arrive in either order, so wait for one showing both
  // (waiting for them one after the other would skip past a frame that already held both).
  await expectFrame(ajie, (f) => agentsFrame('xiaomei', 'online')(f) && agentsFrame('ajie', 'online')(f), 'xiaomei (B) and ajie (A) online');
  // ajie goes away so the handoff can only be routed to the agent on the other instance.
  ajie.send({ type: 'presence', status: 'away', id: 'p1' });
  await expectFrame(ajie, (f) => f.type === 'ack' && f['id'] === 'p1', 'presence ack');
  await expectFrame(xiaomei, agentsFrame('ajie', 'away'), 'ajie away seen on B');

  const buyer = await buyerOn(a);
  const first = await buyer.ask('你好');
  expect(first.reply['from']).toBe('bot');

  await buyer.send('我要人工客服');
  const assigned = await expectFrame(xiaomei, (f) => f.type === 'conversation', 'conversation assigned on B');
  expect((assigned['conversation'] as { id: string }).id).toBe(buyer.conversationId);
  expect(await expectFrame(buyer.client, (f) => f.type === 'handoff' && f['status'] === 'assigned', 'assigned')).toMatchObject({
    agentName: expect.any(String),
  });

  // Buyer typing on A reaches the agent on B.
  buyer.client.send({ type: 'typing' });
  expect(await expectFrame(xiaomei, (f) => f.type === 'typing', 'typing')).toMatchObject({ conversationId: buyer.conversationId });

  // Agent on B → buyer on A.
  xiaomei.send({ type: 'message', conversationId: buyer.conversationId, text: '亲，我是小美，马上帮您看', id: 'm1' });
  expect(await expectFrame(buyer.client, (f) => f.type === 'message' && f['from'] === 'agent', 'agent message')).toMatchObject({
    text: '亲，我是小美，马上帮您看',
  });

  // Buyer on A → agent on B.
  const sent = await buyer.send('我的快递三天没动了');
  expect(
    await expectFrame(
      xiaomei,
      (f) => f.type === 'message' && (f['message'] as { from: string }).from === 'buyer' && (f['message'] as { seq: number }).seq === sent.seq,
      'buyer message on B',
    ),
  ).toMatchObject({ conversationId: buyer.conversationId, message: { text: '我的快递三天没动了' } });

  // What the buyer and the agent saw is what Redis holds.
  const log = await reader.messagesAfter(buyer.conversationId, 0);
  expect(log.map((m) => m.from)).toEqual(expect.arrayContaining(['bot', 'buyer', 'agent']));
  expect((await reader.getConversation(buyer.conversationId))?.status).toBe('agent');
  expect(await reader.listAssignments('xiaomei')).toContain(buyer.conversationId);
  // Presence changed on B is seen on A.
  xiaomei.send({ type: 'presence', status: 'away', id: 'p2' });
  await expectFrame(ajie, agentsFrame('xiaomei', 'away'), 'xiaomei away on A');
  // Going away hands the chat over: with nobody online it is queued again, which the buyer on A sees.
  await expectFrame(buyer.client, (f) => f.type === 'handoff' && f['status'] === 'queued', 'queued again');
  expect((await reader.listQueue()).map((q) => q.conversationId)).toContain(buyer.conversationId);
});

it('a script published on A serves the next buyer message on B', async () => {
  const THANKS = 'templates/greeting.thanks.yaml';
  const fresh = '新版感谢：不客气亲，欢迎下次再来～';
  const onB = await buyerOn(b, {}, 'onB');
  const before = await onB.ask('好的谢谢');
  expect(before.reply['text']).not.toBe(fresh);

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(a.url + path, {
      method,
      headers: { authorization: `Bearer ${TOKENS.boss}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const text = `intent: greeting.thanks\nlabel: 没有了，谢谢\nmoves:\n  welcome:\n    - ${fresh}\n`;
  expect((await api('PUT', `/api/scripts/files/${THANKS}`, { text })).status).toBe(200);
  const published = await api('POST', '/api/scripts/publish', { message: 'multi-instance test' });
  expect(published.status).toBe(200);
  const version = Number(published.body['version']);

  // B reloads on the Bus event; its log says so.
  await until(() => b.logs.some((l) => l['msg'] === 'scripts reloaded' && l['version'] === version));
  expect((await onB.ask('好的谢谢')).reply['text']).toBe(fresh);
  expect(await reader.getActiveScriptVersion()).toBe(version);
});

it('a draft saved on A is seen (and can be discarded) on B; it lives in Redis, not in either process', async () => {
  const THANKS = 'templates/greeting.thanks.yaml';
  const api = async (on: Instance, method: string, path: string, body?: unknown) => {
    const res = await fetch(on.url + path, {
      method,
      headers: { authorization: `Bearer ${TOKENS.boss}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const drafted = '草稿：谢谢亲，这句还没发布哦～';
  const text = `intent: greeting.thanks\nlabel: 没有了，谢谢\nmoves:\n  welcome:\n    - ${drafted}\n`;
  expect((await api(a, 'PUT', `/api/scripts/files/${THANKS}`, { text })).status).toBe(200);

  const onB = await api(b, 'GET', `/api/scripts/files/${THANKS}`);
  expect(onB.body).toMatchObject({ path: THANKS, draft: true, text });
  expect((await api(b, 'GET', '/api/scripts')).body['draft']).toEqual([expect.objectContaining({ path: THANKS, kind: 'changed', author: 'boss' })]);
  expect((await reader.getDrafts())[THANKS]).toMatchObject({ text, author: 'boss' });

  expect((await api(b, 'DELETE', '/api/scripts/draft/')).status).toBe(200);
  expect((await api(a, 'GET', '/api/scripts')).body['draft']).toEqual([]);
  expect((await api(a, 'GET', `/api/scripts/files/${THANKS}`)).body['draft']).toBe(false);
  expect(await reader.getDrafts()).toEqual({});
});

it('a buyer with one tab on A and one on B gets one bot turn per message, no double replies', async () => {
  const tab1 = await buyerOn(a, {}, 'tab1');
  const tab2 = await buyerOn(b, { buyerId: tab1.buyerId, resumeToken: tab1.resumeToken }, 'tab2');
  expect(tab2.welcome).toMatchObject({ resumed: true, conversationId: tab1.conversationId });
  const conversationId = tab1.conversationId;

  // Both tabs at once, several messages each, and one message resent by both tabs with the
  // same client id (what a widget does when it reconnects elsewhere and resends).
  const texts = ['这个有货吗', '什么时候发货', '能便宜点吗', '有发票吗', '包邮吗', '可以货到付款吗'];
  const sends = texts.map((t, i) => (i % 2 === 0 ? tab1 : tab2).send(t));
  tab1.client.send({ type: 'message', id: 'same-on-both', text: '颜色有几种' });
  tab2.client.send({ type: 'message', id: 'same-on-both', text: '颜色有几种' });
  await Promise.all(sends);
  const acks = await Promise.all(
    [tab1, tab2].map((t) => {
      const isAck = (f: Frame) => f.type === 'ack' && f['id'] === 'same-on-both';
      // The other sends may have read past it already.
      return t.client.frames.find(isAck) ?? expectFrame(t.client, isAck, 'ack of the resent message');
    }),
  );
  expect(acks[0]?.['seq']).toBe(acks[1]?.['seq']);
  const buyerMessages = texts.length + 1;

  // Wait until every buyer message has been answered (each turn ends with its turn's state saved).
  await until(async () => {
    const conv = await reader.getConversation(conversationId);
    const log = await reader.messagesAfter(conversationId, 0);
    const answered = new Set(log.filter((m) => m.from === 'bot').map((m) => m.meta?.['replyTo']));
    return (conv?.turns.length ?? 0) >= buyerMessages && log.filter((m) => m.from === 'buyer').every((m) => answered.has(m.seq));
  }, 100);
  const log = await reader.messagesAfter(conversationId, 0);
  const conv = await reader.getConversation(conversationId);
  expect(log.filter((m) => m.from === 'buyer')).toHaveLength(buyerMessages);
  // One turn per message: a second instance replying would have added a second turn.
  expect(conv?.turns).toHaveLength(buyerMessages);
  expect(conv?.turns.map((t) => t.text).sort()).toEqual([...texts, '颜色有几种'].sort());
  // Each buyer message's replies come from one turn: no reply text repeated for the same message.
  const byReplyTo = new Map<unknown, string[]>();
  for (const m of log.filter((x) => x.from === 'bot' && x.meta?.['replyTo'] !== undefined)) {
    byReplyTo.set(m.meta?.['replyTo'], [...(byReplyTo.get(m.meta?.['replyTo']) ?? []), m.text]);
  }
  for (const replies of byReplyTo.values()) expect(new Set(replies).size).toBe(replies.length);

  // Both tabs show the same conversation: every seq, in order, no message shown twice.
  const last = log[log.length - 1]!.seq;
  for (const tab of [tab1, tab2]) {
    await until(() => tab.timeline().some((f) => f.seq === last));
    const shown = tab
      .timeline()
      .filter((f) => f.from !== 'buyer' || f.text !== undefined)
      .map((f) => f.seq);
    expect(new Set(shown).size).toBe(shown.length);
    const seqs = [...new Set(tab.timeline().map((f) => f.seq))];
    expect(seqs).toEqual(Array.from({ length: last }, (_, i) => i + 1));
  }
});
