/**
 * A flooded human queue (issue 15): one address opens many anonymous conversations and sends
 * a complaint in each. A signed shop buyer's complaint sent afterwards must still be at the
 * front, the flood must not be urgent, and agents see the flood grouped as a possible attack.
 * Real app, real engine, real sockets.
 */
import { signShopBuyer } from '../../src/transport/shop-identity';
import { TestClient } from '../transport/harness';
import { say, startAgentServer, type AgentServer } from './agent-helpers';

const FLOOD = 30;
const PER_IP = 4;

describe('queue flood', () => {
  let s: AgentServer;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    s = await startAgentServer({
      env: {
        HANDOFFS_PER_IP: String(PER_IP),
        HANDOFFS_PER_BUYER: '3',
        NEW_SESSIONS_PER_IP: '1000',
        MAX_CONNECTIONS_PER_IP: '1000',
        RATE_LIMIT_MESSAGES_PER_IP: '1000',
      },
    });
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await s.stop();
  });

  async function complain(hello: Record<string, unknown>): Promise<string> {
    const c = await TestClient.open(s.wsUrl);
    clients.push(c);
    const welcome = await c.hello(hello);
    await say(c, '再不处理我就给差评');
    await c.next((f) => f.type === 'handoff' && f['status'] === 'queued', 'queued');
    return String(welcome['conversationId']);
  }

  it('keeps a signed buyer’s complaint at the front of a queue flooded by one address', async () => {
    const flood: string[] = [];
    for (let i = 0; i < FLOOD; i++) flood.push(await complain({}));
    const signed = await complain({ shopBuyerId: 'B003', shopBuyerSig: signShopBuyer(s.config.shopSecret, 'B003') });
    const handoff = s.console.handoff;
    // The handoff service prioritises on the Bus event; run it for every entry so the order is final.
    for (const id of [...flood, signed]) await handoff.entrance.onQueued(id);

    const queue = await handoff.views.queueView();
    expect(queue).toHaveLength(FLOOD + 1);
    expect(queue[0]).toMatchObject({ conversationId: signed, priority: 'urgent' });
    const anonymous = queue.filter((q) => q.conversationId !== signed);
    // A new anonymous buyer does not reach urgent on a keyword; past the address budget it is normal.
    expect(anonymous.filter((q) => q.priority === 'urgent')).toEqual([]);
    expect(anonymous.filter((q) => q.priority === 'high')).toHaveLength(PER_IP);
    // The rest are grouped under the address and marked for the console.
    const suspects = anonymous.filter((q) => q.suspect === 'flood');
    expect(suspects).toHaveLength(FLOOD - PER_IP);
    expect(new Set(suspects.map((q) => q.group))).toEqual(new Set(['ip:127.0.0.1']));
    // One warning for the flood, not one per handoff.
    expect(s.logs.filter((l) => l['suspect'] === 'flood')).toHaveLength(1);
  });
});
