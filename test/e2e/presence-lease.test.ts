/**
 * Agent presence across instances: two server processes on the shared Redis, with a short
 * presence lease. The agent's console is on B; B is killed with SIGKILL, so no socket close,
 * no shutdown hook, nothing tells anyone. Once the lease B was renewing has expired, A marks
 * the agent offline: the chat the agent held goes back to the queue with its history, and a
 * new handoff on A is not given to the vanished agent. When the agent's console connects
 * again (to A) the agent is online with a new lease and gets the waiting chats.
 */
import type { Store } from '../../src/store/types';
import { TestClient, type Frame } from '../transport/harness';
import { Buyer, TOKENS, expectFrame, startRedisPair, until, type Instance, type RedisPair } from './support/instances';

jest.setTimeout(90_000);

let pair: RedisPair;
let a: Instance;
let b: Instance;
let reader: Store;
const sockets: TestClient[] = [];

beforeAll(async () => {
  pair = await startRedisPair('lease', ['inst-a', 'inst-b-doomed'], { PRESENCE_LEASE_MS: '4000', PRESENCE_RENEW_MS: '500' });
  ({ a, b, reader } = pair);
}, 90_000);

afterAll(() => pair?.teardown(sockets), 60_000);

async function agentOn(instance: Instance, token: string): Promise<TestClient> {
  const client = await TestClient.open(`${instance.url.replace('http', 'ws')}/ws/agent?token=${encodeURIComponent(token)}`);
  sockets.push(client);
  await expectFrame(client, (f) => f.type === 'hello', 'hello');
  return client;
}

async function buyerOn(instance: Instance, label: string): Promise<Buyer> {
  const buyer = await Buyer.open(instance, {}, label);
  sockets.push(buyer.client);
  return buyer;
}

const statusOf = (f: Frame, agentId: string): string | undefined =>
  f.type === 'agents' ? (f['agents'] as { agentId: string; status: string }[]).find((x) => x.agentId === agentId)?.status : undefined;

const isConversation = (id: string) => (f: Frame) => f.type === 'conversation' && (f['conversation'] as { id: string }).id === id;

it('an agent whose instance was SIGKILLed goes offline when the lease expires: held chat requeued, new chats not routed to them', async () => {
  const xiaomei = await agentOn(b, TOKENS.xiaomei);
  await expectFrame(xiaomei, (f) => statusOf(f, 'xiaomei') === 'online', 'xiaomei online on B');
  // ajie watches from A, away, so nothing can be routed to ajie.
  const ajie = await agentOn(a, TOKENS.ajie);
  ajie.send({ type: 'presence', status: 'away', id: 'away-1' });
  // (The ack and the agents snapshot may arrive in either order: wait for the snapshot only.)
  await expectFrame(ajie, (f) => statusOf(f, 'ajie') === 'away' && statusOf(f, 'xiaomei') === 'online', 'ajie away, xiaomei online');

  const held = await buyerOn(a, 'held');
  await held.send('我要人工客服');
  await expectFrame(held.client, (f) => f.type === 'handoff' && f['status'] === 'assigned', 'held chat assigned');
  await expectFrame(xiaomei, isConversation(held.conversationId), 'held chat on xiaomei’s console');
  expect(await reader.listAssignments('xiaomei')).toEqual([held.conversationId]);

  await b.kill('SIGKILL');
  await xiaomei.waitClosed();

  // Nobody closed anything: only the lease running out can tell A. The buyer sees the queue again.
  await expectFrame(held.client, (f) => f.type === 'handoff' && f['status'] === 'queued', 'held chat back in the queue');
  await expectFrame(ajie, (f) => statusOf(f, 'xiaomei') === 'offline', 'xiaomei offline on A');
  await until(async () => (await reader.getPresence('xiaomei'))?.status === 'offline' && (await reader.listAssignments('xiaomei')).length === 0, 100);
  const requeued = await reader.getConversation(held.conversationId);
  expect(requeued?.status).toBe('queued');
  expect(requeued?.assignedAgent).toBeUndefined();
  expect(a.logs.some((l) => l['level'] === 50 || l['level'] === 'error')).toBe(false);

  // A new handoff on A stays queued: the agent B vanished with is not online any more.
  const fresh = await buyerOn(a, 'fresh');
  await fresh.send('转人工');
  await expectFrame(fresh.client, (f) => f.type === 'handoff' && f['status'] === 'queued', 'new chat queued');
  // The queue change goes out after routing ran, so it shows where the new chat ended up.
  await expectFrame(
    ajie,
    (f) => f.type === 'queue_item' && f['op'] === 'added' && f['conversationId'] === fresh.conversationId,
    'new chat in the queue on A',
  );
  expect((await reader.getConversation(fresh.conversationId))?.status).toBe('queued');
  expect((await reader.listQueue()).map((q) => q.conversationId).sort()).toEqual([held.conversationId, fresh.conversationId].sort());
  expect(await reader.listAssignments('xiaomei')).toEqual([]);
  expect(fresh.client.frames.some((f) => f.type === 'handoff' && f['status'] === 'assigned')).toBe(false);

  // The console reconnects, to A: a new lease, online, and both waiting chats with their history.
  const back = await agentOn(a, TOKENS.xiaomei);
  await until(() => back.frames.some(isConversation(held.conversationId)) && back.frames.some(isConversation(fresh.conversationId)));
  const heldFrame = back.frames.find(isConversation(held.conversationId))!;
  const history = (heldFrame['conversation'] as { history: { from: string; text: string }[] }).history;
  expect(history).toEqual(expect.arrayContaining([expect.objectContaining({ from: 'buyer', text: '我要人工客服' })]));
  expect((await reader.getPresence('xiaomei'))?.status).toBe('online');
  expect((await reader.listPresenceLeases()).find((l) => l.agentId === 'xiaomei')?.expiresAt).toBeGreaterThan(Date.now());
  await expectFrame(held.client, (f) => f.type === 'handoff' && f['status'] === 'assigned', 'held chat assigned again');
});
