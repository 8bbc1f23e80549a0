/**
 * Backpressure on buyer sockets (src/transport/backpressure.ts): past the high mark of bot
 * turns in flight, a socket that sends is paused; paused sockets resume once the count is
 * down to the low mark. End to end: buyers flooding a server with slow turns get every
 * message acknowledged and answered, in order, while reading was paused and resumed.
 */
import { loadDemoShop } from '../../src/shop';
import type { ChatEngine } from '../../src/conversation/conversation-service';
import { TurnBackpressure, type Pausable } from '../../src/transport/backpressure';
import { startServer, TestClient, type Frame } from './harness';
import { createScriptedEngine } from './scripted-engine';

const shop = loadDemoShop('demo/shop');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class FakeSocket implements Pausable {
  paused = false;
  pauses = 0;
  pause(): void {
    this.paused = true;
    this.pauses += 1;
  }
  resume(): void {
    this.paused = false;
  }
}

describe('TurnBackpressure', () => {
  it('pauses a sending socket at the high mark, resumes every paused one at the low mark', async () => {
    let inFlight = 0;
    const changes: [boolean, number][] = [];
    const gate = new TurnBackpressure({ inFlight: () => inFlight, high: 10, low: 4, checkEveryMs: 1, onChange: (p, n) => changes.push([p, n]) });
    const [a, b, c] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    inFlight = 9;
    gate.admitted(a);
    expect(a.paused).toBe(false);
    inFlight = 10;
    gate.admitted(a);
    gate.admitted(b);
    gate.admitted(b); // once only
    expect([a.paused, b.paused, c.paused]).toEqual([true, true, false]);
    expect(b.pauses).toBe(1);
    expect(gate.pausedCount).toBe(2);
    inFlight = 5;
    await sleep(20);
    expect([a.paused, b.paused]).toEqual([true, true]); // above the low mark still
    gate.forget(b); // closed meanwhile
    inFlight = 4;
    await sleep(20);
    expect([a.paused, b.paused]).toEqual([false, true]);
    expect(gate.pausedCount).toBe(0);
    expect(changes).toEqual([
      [true, 10],
      [false, 4],
    ]);
  });

  it('resumes everything on release (shutdown)', () => {
    const gate = new TurnBackpressure({ inFlight: () => 100, high: 3 });
    const s = new FakeSocket();
    gate.admitted(s);
    expect(s.paused).toBe(true);
    gate.release();
    expect(s.paused).toBe(false);
  });
});

describe('buyer sockets under backpressure (real sockets)', () => {
  it('answers every message of buyers flooding slow turns, in order, pausing and resuming their sockets', async () => {
    const scripted = createScriptedEngine();
    // Every turn takes a while, so turns pile up past the mark.
    const engine: ChatEngine = {
      ...scripted,
      handleMessage: async (conv, text) => {
        await sleep(15);
        return scripted.handleMessage(conv, text);
      },
    };
    const server = await startServer({ engine, shop, env: { MAX_TURNS_IN_FLIGHT: '4', RATE_LIMIT_MESSAGES: '1000' } });
    const buyers: TestClient[] = [];
    try {
      let most = 0;
      const watch = setInterval(() => (most = Math.max(most, server.app.conversations.turnsInFlight)), 1);
      const PER_BUYER = 6;
      for (let b = 0; b < 5; b++) {
        const c = await TestClient.open(server.wsUrl);
        buyers.push(c);
        await c.hello();
        await c.nextType('message'); // greeting
      }
      for (let i = 0; i < PER_BUYER; i++) {
        buyers.forEach((c, b) => c.send({ type: 'message', id: `b${b}-${i}`, text: `第${i}条` }));
        await sleep(2);
      }
      for (const [b, c] of buyers.entries()) {
        const replies: Frame[] = [];
        while (replies.length < PER_BUYER) replies.push(await c.next((f) => f.type === 'message' && f['from'] === 'bot'));
        expect(replies.map((f) => f['text'])).toEqual(Array.from({ length: PER_BUYER }, (_, i) => `收到：第${i}条`));
        const acks = c.frames.filter((f) => f.type === 'ack').map((f) => f['id']);
        expect(acks).toEqual(Array.from({ length: PER_BUYER }, (_, i) => `b${b}-${i}`));
      }
      clearInterval(watch);
      const msgs = server.logs.map((l) => l['msg']);
      expect(msgs).toContain('behind on bot turns: buyer sockets that send now wait unread until the backlog is halved');
      expect(msgs).toContain('backlog halved: paused buyer sockets read again');
      // Without the pauses all 30 turns would be in flight at once.
      expect(most).toBeLessThan(5 * PER_BUYER);
    } finally {
      await Promise.all(buyers.map((c) => c.close()));
      await server.stop();
    }
  });
});
