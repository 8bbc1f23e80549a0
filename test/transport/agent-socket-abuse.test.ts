/**
 * The agent socket holds under garbage as the buyer socket does (issue 15): error replies to
 * invalid frames are rate-limited, a socket that sends only invalid frames is closed with
 * INVALID_FLOOD (1008) and logged once with its address, and a console that sends a bad
 * frame now and then between good ones stays connected. Real server, real sockets.
 */
import type { Socket } from 'node:net';
import { TOKENS, startAgentServer, type AgentServer } from '../e2e/agent-helpers';
import { TestClient } from './harness';

const LIMIT = 12;
const REPLIES = 4;

describe('agent socket: invalid frames', () => {
  let s: AgentServer;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    s = await startAgentServer({
      env: { INVALID_FRAME_LIMIT: String(LIMIT), ERROR_REPLIES_PER_WINDOW: String(REPLIES), RATE_LIMIT_WINDOW_MS: '600000' },
    });
  }, 60_000);
  afterEach(() => {
    for (const c of clients.splice(0)) c.ws.terminate();
  });
  afterAll(async () => {
    await s.stop();
  });

  async function agent(): Promise<TestClient> {
    const c = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    clients.push(c);
    await c.nextType('queue');
    return c;
  }

  async function closed(c: TestClient): Promise<{ code: number; reason: string }> {
    for (let i = 0; i < 500 && !c.closed; i++) await new Promise((r) => setTimeout(r, 10));
    if (!c.closed) throw new Error('socket still open');
    return c.closed;
  }

  it('answers a few invalid frames, then closes a socket that sends nothing else, logged once with its address', async () => {
    const c = await agent();
    const errorsBefore = c.frames.filter((f) => f.type === 'error').length;
    const garbage = ['not json', '{"type":"dance"}', '{"type":"message"}', Buffer.from([1, 2, 3])];
    for (let i = 0; i < LIMIT * 3; i++) c.ws.send(garbage[i % garbage.length]!);
    expect(await closed(c)).toEqual({ code: 1008, reason: 'INVALID_FLOOD' });
    const errors = c.frames.filter((f) => f.type === 'error').slice(errorsBefore);
    // Each kind of garbage is named while replies last; then they stop (rate-limited).
    expect(errors.length).toBeLessThanOrEqual(REPLIES);
    expect(errors.map((e) => e['code'])).toEqual(['BAD_JSON', 'UNKNOWN_TYPE', 'BAD_FRAME', 'BINARY_FRAME'].slice(0, errors.length));
    await new Promise((r) => setTimeout(r, 100));
    const lines = s.logs.filter((l) => l['code'] === 'INVALID_FLOOD');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ agentId: 'xiaomei', ip: '127.0.0.1' });
  });

  it('closes a never-reading flooder without queueing a reply per frame', async () => {
    const c = await agent();
    (c.ws as unknown as { _socket: Socket })._socket.pause();
    const logsBefore = s.logs.filter((l) => l['code'] === 'INVALID_FLOOD').length;
    for (let i = 0; i < 5000; i++) c.ws.send('x');
    for (let i = 0; i < 500 && s.logs.filter((l) => l['code'] === 'INVALID_FLOOD').length === logsBefore; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(s.logs.filter((l) => l['code'] === 'INVALID_FLOOD')).toHaveLength(logsBefore + 1);
    // A few hundred bytes of error replies at most, not one per frame.
    expect(s.app.sockets.bufferedBytes()).toBeLessThan(4096);
  });

  it('keeps a console that sends a bad frame now and then between good ones', async () => {
    const c = await agent();
    for (let i = 0; i < LIMIT * 2; i++) {
      c.ws.send('{oops');
      c.send({ type: 'refresh', id: `r${i}` });
      await c.next((f) => f.type === 'ack' && f['id'] === `r${i}`, `refresh ${i}`);
    }
    expect(c.closed).toBeNull();
  });
});
