/**
 * Holding under abuse at the socket edge (issue 15): clients that flood and never read,
 * hello floods, and one address posing as many anonymous buyers. Real server on port 0, real
 * sockets; a "paused" client is a real ws client whose TCP socket stops reading.
 */
import type { Socket } from 'node:net';
import { loadDemoShop } from '../../src/shop';
import { startServer, TestClient, type Running } from './harness';
import { createScriptedEngine } from './scripted-engine';

const shop = loadDemoShop('demo/shop');

/** Stops reading from the socket: the server's frames pile up in the kernel and then in its own buffer. */
function stopReading(c: TestClient): void {
  (c.ws as unknown as { _socket: Socket })._socket.pause();
}

/** Waits until `count` log lines match (the server logs in-process, so each new line wakes us via setImmediate polling). */
async function waitForLogs(server: Running, pred: (l: Record<string, unknown>) => boolean, count = 1): Promise<Record<string, unknown>[]> {
  for (;;) {
    const found = server.logs.filter(pred);
    if (found.length >= count) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('sockets that flood and never read', () => {
  let server: Running;
  const clients: TestClient[] = [];
  const BUFFER_LIMIT = 64 * 1024;

  beforeEach(async () => {
    server = await startServer({
      engine: createScriptedEngine(),
      shop,
      env: {
        MAX_SOCKET_BUFFER_BYTES: String(BUFFER_LIMIT),
        INVALID_FRAME_LIMIT: '20',
        ERROR_REPLIES_PER_WINDOW: '5',
        RATE_LIMIT_WINDOW_MS: '600000',
      },
    });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await server.stop();
  });

  it('closes 10 never-reading sockets flooding invalid frames, logs each once, and keeps answering a quiet buyer', async () => {
    const floods = await Promise.all(Array.from({ length: 10 }, () => TestClient.open(server.wsUrl)));
    clients.push(...floods);
    for (const f of floods) stopReading(f);
    for (let i = 0; i < 2000; i++) for (const f of floods) f.ws.send('x');

    const quiet = await TestClient.open(server.wsUrl);
    clients.push(quiet);
    await quiet.hello();
    quiet.send({ type: 'message', id: 'q1', text: '在吗' });
    await quiet.next((f) => f['text'] === '收到：在吗', 'reply to the quiet buyer');

    const closes = await waitForLogs(server, (l) => l['code'] === 'INVALID_FLOOD', 10);
    // Log sampling: one warning per flooding socket, not one per frame after the close.
    expect(closes).toHaveLength(10);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.logs.filter((l) => l['code'] === 'INVALID_FLOOD')).toHaveLength(10);
    expect(closes.every((l) => typeof l['ip'] === 'string')).toBe(true);
    // At most ERROR_REPLIES_PER_WINDOW error replies were queued per socket: a few hundred bytes each.
    expect(server.app.sockets.bufferedBytes()).toBeLessThanOrEqual(10 * BUFFER_LIMIT);
  });

  it('drops a socket whose unsent frames pass MAX_SOCKET_BUFFER_BYTES, with SLOW_CONSUMER and its address', async () => {
    const reader = await TestClient.open(server.wsUrl);
    clients.push(reader);
    const welcome = await reader.hello();
    const conversationId = String(welcome['conversationId']);
    stopReading(reader);
    const text = '亲，这是一条很长的客服消息，用来把缓冲区塞满。'.repeat(40);
    const dropped = (l: Record<string, unknown>): boolean => l['code'] === 'SLOW_CONSUMER';
    // Keep talking to the paused buyer until the server gives up on it (bounded: 60,000 frames ≈ 80 MB).
    for (let sent = 0; sent < 60_000 && !server.logs.some(dropped); sent += 100) {
      for (let i = 0; i < 100; i++)
        await server.app.conversations.postMessage(conversationId, { from: 'agent', agentId: 'xiaomei', text, at: new Date().toISOString() });
      await new Promise((r) => setImmediate(r));
    }
    const [line] = await waitForLogs(server, dropped);
    expect(line).toMatchObject({ code: 'SLOW_CONSUMER', ip: '127.0.0.1', path: '/ws/buyer' });
    expect(Number(line?.['bufferedBytes'])).toBeLessThanOrEqual(BUFFER_LIMIT);
    expect(server.app.sockets.bufferedBytes()).toBeLessThanOrEqual(BUFFER_LIMIT);
    // The socket is terminated, not kept half-open with its backlog.
    await new Promise<void>((resolve) => {
      const check = (): void => void (server.app.sockets.size === 0 ? resolve() : setTimeout(check, 50));
      check();
    });
  });
});

describe('sessions per address', () => {
  let server: Running;
  const clients: TestClient[] = [];
  beforeEach(async () => {
    server = await startServer({
      engine: createScriptedEngine(),
      shop,
      env: {
        NEW_SESSIONS_PER_IP: '5',
        SESSION_WINDOW_MS: '600000',
        RATE_LIMIT_MESSAGES: '3',
        RATE_LIMIT_MESSAGES_PER_IP: '6',
        RATE_LIMIT_WINDOW_MS: '600000',
      },
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.stop();
  });

  async function connect(): Promise<TestClient> {
    const c = await TestClient.open(server.wsUrl);
    clients.push(c);
    return c;
  }

  it('refuses new anonymous sessions past NEW_SESSIONS_PER_IP, but lets a known buyer resume', async () => {
    let first: Record<string, unknown> | undefined;
    for (let i = 0; i < 5; i++) {
      const c = await connect();
      const w = await c.hello();
      first ??= w;
      await c.close();
    }
    const sixth = await connect();
    sixth.send({ type: 'hello' });
    expect(await sixth.nextType('error')).toMatchObject({ code: 'TOO_MANY_SESSIONS' });
    expect((await sixth.waitClosed()).code).toBe(1013);
    // A random resume token does not get round it either.
    const forged = await connect();
    forged.send({ type: 'hello', buyerId: 'b_nobody', resumeToken: 'x'.repeat(32) });
    expect(await forged.nextType('error')).toMatchObject({ code: 'TOO_MANY_SESSIONS' });
    // The real buyer with their token still gets back in.
    const back = await connect();
    expect(await back.hello({ buyerId: first?.['buyerId'], resumeToken: first?.['resumeToken'] })).toMatchObject({ resumed: true });
  });

  it('counts messages of every anonymous buyer from one address against one budget', async () => {
    let answered = 0;
    let limited = 0;
    // Three buyers, three messages each (each within its own budget of 3): the address budget of 6 stops the rest.
    for (let b = 0; b < 3; b++) {
      const c = await connect();
      await c.hello();
      for (let i = 0; i < 3; i++) {
        c.send({ type: 'message', id: `m${b}${i}`, text: `第${b}${i}条` });
        const f = await c.next((x) => (x.type === 'ack' || x.type === 'error') && x['id'] === `m${b}${i}`);
        if (f.type === 'ack') answered += 1;
        else if (f['code'] === 'RATE_LIMITED') limited += 1;
      }
    }
    expect(answered).toBe(6);
    expect(limited).toBe(3);
  });
});

describe('socket timeouts', () => {
  let server: Running;
  beforeEach(async () => {
    server = await startServer({ engine: createScriptedEngine(), shop, env: { HELLO_TIMEOUT_MS: '300', IDLE_SOCKET_TIMEOUT_MS: '1000' } });
  });
  afterEach(async () => server.stop());

  it('closes a socket that never says hello with HELLO_TIMEOUT', async () => {
    const c = await TestClient.open(server.wsUrl);
    expect(await c.nextType('error')).toMatchObject({ code: 'HELLO_TIMEOUT' });
    expect((await c.waitClosed()).code).toBe(1008);
  });

  it('closes a buyer socket that goes quiet after hello with IDLE_TIMEOUT', async () => {
    const c = await TestClient.open(server.wsUrl);
    await c.hello();
    expect(await c.nextType('error')).toMatchObject({ code: 'IDLE_TIMEOUT' });
    expect((await c.waitClosed()).code).toBe(1000);
  });
});
