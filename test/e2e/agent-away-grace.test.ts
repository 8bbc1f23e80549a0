/**
 * 离开 (away) with a grace period (issue 10): real server, real sockets, real engine and store,
 * a fake clock and the SLA sweeper driven by hand (see agent-helpers.ts).
 */
import { TestClient, type Frame } from '../transport/harness';
import { TOKENS, say, startAgentServer, type AgentServer } from './agent-helpers';

const GRACE_MS = 5 * 60_000;
const isConv = (id: string) => (f: Frame) => f.type === 'conversation' && (f['conversation'] as { id: string }).id === id;
const awayWithMove = (f: Frame) =>
  f.type === 'agents' &&
  (f['agents'] as { agentId: string; status: string; chatsMoveAt?: number }[]).some(
    (a) => a.agentId === 'xiaomei' && a.status === 'away' && typeof a.chatsMoveAt === 'number',
  );

describe('away with a grace period', () => {
  let s: AgentServer;
  let now = new Date('2026-05-06T03:00:00.000Z');
  beforeEach(async () => {
    now = new Date('2026-05-06T03:00:00.000Z');
    s = await startAgentServer({ clock: () => now, env: { AWAY_GRACE_MS: String(GRACE_MS) } });
  });
  afterEach(async () => {
    await s.stop();
  });

  it("keeps the agent's chats through the grace, gives them nothing new, refuses picks, then hands over", async () => {
    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    await xiaomei.nextType('hello');
    const first = await s.buyer();
    const firstId = String(first.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await say(first, '转人工');
    await xiaomei.next(isConv(firstId), 'first chat');

    xiaomei.send({ type: 'presence', status: 'away', id: 'p1' });
    const agents = await xiaomei.next(awayWithMove, 'away, with when the chats move');
    const mine = (agents['agents'] as { agentId: string; chatsMoveAt: number }[]).find((a) => a.agentId === 'xiaomei');
    expect(mine?.chatsMoveAt).toBe(now.getTime() + GRACE_MS);
    // Still hers during the break.
    expect(await s.store.listAssignments('xiaomei')).toEqual([firstId]);

    // A new request is not given to an away agent, and she cannot pick it.
    const second = await s.buyer();
    const secondId = String(second.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await say(second, '转人工');
    await second.next((f) => f.type === 'handoff' && f['status'] === 'queued', 'second queued');
    const pick = await fetch(`${s.url}/api/agent/conversations/${secondId}/pick`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.xiaomei}` },
    });
    expect(pick.status).toBe(409);
    expect(await s.store.listAssignments('xiaomei')).toEqual([firstId]);
    expect((await s.store.listQueue()).map((e) => e.conversationId)).toEqual([secondId]);

    // A colleague comes online: takes the queued chat, not yet xiaomei's.
    const ajie = await TestClient.open(s.agentUrl(TOKENS.ajie));
    await ajie.next(isConv(secondId), 'queued chat to ajie');
    expect(await s.store.listAssignments('xiaomei')).toEqual([firstId]);

    // Before the grace ends nothing moves; once it has ended, the sweeper hands her chat over.
    // (The consoles stay connected: their presence leases are renewed at the fake time too.)
    const handoff = s.console.handoff;
    now = new Date(now.getTime() + GRACE_MS - 1000);
    await handoff.presence.renewLeases(['xiaomei', 'ajie']);
    await handoff.sweeper.sweep();
    expect(await s.store.listAssignments('xiaomei')).toEqual([firstId]);
    now = new Date(now.getTime() + 2000);
    await handoff.presence.renewLeases(['xiaomei', 'ajie']);
    await handoff.sweeper.sweep();
    await ajie.next(isConv(firstId), 'handed over after the grace');
    expect(await xiaomei.next((f) => f.type === 'released')).toMatchObject({ conversationId: firstId, reason: 'handover' });
    expect(await s.store.listAssignments('xiaomei')).toEqual([]);
    await Promise.all([xiaomei.close(), ajie.close(), first.close(), second.close()]);
  });

  it('back online within the grace: the chats stay and nothing moves later', async () => {
    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    await xiaomei.nextType('hello');
    const buyer = await s.buyer();
    const id = String(buyer.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await say(buyer, '转人工');
    await xiaomei.next(isConv(id), 'chat');
    xiaomei.send({ type: 'presence', status: 'away', id: 'p1' });
    await xiaomei.next(awayWithMove, 'away');
    xiaomei.send({ type: 'presence', status: 'online', id: 'p2' });
    await xiaomei.next((f) => f.type === 'ack' && f['id'] === 'p2', 'online again');
    now = new Date(now.getTime() + GRACE_MS * 2);
    await s.console.handoff.presence.renewLeases(['xiaomei']);
    await s.console.handoff.sweeper.sweep();
    expect(await s.store.listAssignments('xiaomei')).toEqual([id]);
    expect(xiaomei.frames.some((f) => f.type === 'released')).toBe(false);
    await Promise.all([xiaomei.close(), buyer.close()]);
  });
});
