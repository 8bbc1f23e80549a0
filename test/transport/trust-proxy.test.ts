/**
 * TRUST_PROXY: X-Forwarded-For is read from the right, so only what our own proxies appended
 * is believed. On real sockets: a client that forges X-Forwarded-For (directly, or through a
 * proxy that appends like nginx's $proxy_add_x_forwarded_for) still counts as its own address
 * for MAX_CONNECTIONS_PER_IP, while two real clients behind the proxy are counted apart.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { loadConfig, type TrustProxy } from '../../src/config';
import { clientAddress } from '../../src/transport/client-address';
import { loadDemoShop } from '../../src/shop';
import { startServer, TestClient, type Running } from './harness';
import { createScriptedEngine } from './scripted-engine';

const shop = loadDemoShop('demo/shop');

function fakeRequest(peer: string, xff?: string | string[]): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } } as unknown as IncomingMessage;
}

const trust = (value: string): TrustProxy => loadConfig({ TRUST_PROXY: value }).trustProxy;

describe('TRUST_PROXY configuration', () => {
  it('reads off, a hop count, or addresses and CIDRs', () => {
    expect(loadConfig({}).trustProxy).toEqual({ kind: 'none' });
    expect(trust('false')).toEqual({ kind: 'none' });
    expect(trust('0')).toEqual({ kind: 'none' });
    expect(trust('1')).toEqual({ kind: 'hops', hops: 1 });
    expect(trust('2')).toEqual({ kind: 'hops', hops: 2 });
    expect(trust('10.0.0.0/8, 192.168.1.7,fd00::/8')).toEqual({ kind: 'cidrs', cidrs: ['10.0.0.0/8', '192.168.1.7', 'fd00::/8'] });
  });

  it.each([
    ['true', /no longer says which X-Forwarded-For entry/],
    ['yes', /number of proxies in front/],
    ['11', /at most 10/],
    ['10.0.0.0/33', /"10.0.0.0\/33" must be a hop count, or IP addresses/],
    ['fd00::/129', /"fd00::\/129"/],
    ['nginx', /"nginx" must be/],
    ['10.0.0.1, 10.0.0.0/8/8', /"10.0.0.0\/8\/8"/],
    [',', /needs a hop count or at least one address/],
  ])('refuses TRUST_PROXY=%p at start with a message naming it', (value, message) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(message);
  });
});

describe('clientAddress', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientAddress(fakeRequest('203.0.113.9', '1.2.3.4'), { kind: 'none' })).toBe('203.0.113.9');
  });

  it('with one hop, takes the entry our proxy appended (the rightmost), never the forged left ones', () => {
    const one: TrustProxy = { kind: 'hops', hops: 1 };
    expect(clientAddress(fakeRequest('10.0.0.2', '6.6.6.6, 203.0.113.9'), one)).toBe('203.0.113.9');
    expect(clientAddress(fakeRequest('10.0.0.2', '203.0.113.9'), one)).toBe('203.0.113.9');
    // Several headers count as one list, in order.
    expect(clientAddress(fakeRequest('10.0.0.2', ['6.6.6.6', '203.0.113.9']), one)).toBe('203.0.113.9');
    // No header: the proxy itself (a health check from the balancer, say).
    expect(clientAddress(fakeRequest('10.0.0.2'), one)).toBe('10.0.0.2');
  });

  it('with two hops, skips the nearest proxy and takes the one before it', () => {
    const two: TrustProxy = { kind: 'hops', hops: 2 };
    expect(clientAddress(fakeRequest('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.0.0.1'), two)).toBe('203.0.113.9');
    // Fewer entries than hops: the furthest one there is.
    expect(clientAddress(fakeRequest('10.0.0.2', '203.0.113.9'), two)).toBe('203.0.113.9');
  });

  it('with CIDRs, walks left while the address is a trusted proxy, and ignores the header from anyone else', () => {
    const cidrs: TrustProxy = { kind: 'cidrs', cidrs: ['10.0.0.0/8', 'fd00::/8'] };
    expect(clientAddress(fakeRequest('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.1.2.3'), cidrs)).toBe('203.0.113.9');
    expect(clientAddress(fakeRequest('fd00::2', '2001:db8::5'), cidrs)).toBe('2001:db8::5');
    // A client talking to the server directly cannot make itself someone else.
    expect(clientAddress(fakeRequest('203.0.113.9', '1.2.3.4'), cidrs)).toBe('203.0.113.9');
    // IPv4-mapped peers match IPv4 ranges, and the result is the plain IPv4 address.
    expect(clientAddress(fakeRequest('::ffff:10.0.0.2', '::ffff:203.0.113.9'), cidrs)).toBe('203.0.113.9');
    // Everything trusted: the leftmost entry.
    expect(clientAddress(fakeRequest('10.0.0.2', '10.0.0.9, 10.0.0.8'), cidrs)).toBe('10.0.0.9');
  });

  it('never takes a non-address a client wrote as its identity', () => {
    expect(clientAddress(fakeRequest('10.0.0.2', 'unknown'), { kind: 'hops', hops: 1 })).toBe('10.0.0.2');
    expect(clientAddress(fakeRequest('10.0.0.2', '203.0.113.9, <script>'), { kind: 'hops', hops: 2 })).toBe('10.0.0.2');
    expect(clientAddress(fakeRequest('10.0.0.2', 'evil, 203.0.113.9'), { kind: 'hops', hops: 2 })).toBe('203.0.113.9');
  });
});

/** A one-hop reverse proxy for WebSocket upgrades that appends the peer to X-Forwarded-For, like nginx's $proxy_add_x_forwarded_for. */
async function startAppendingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const prior = req.headers['x-forwarded-for'];
    const xff = [prior, req.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = request(`${target}${req.url ?? '/'}`, { headers: { ...req.headers, 'x-forwarded-for': xff } });
    upstream.on('upgrade', (res, up: Socket, upHead: Buffer) => {
      const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage}`];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      client.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upHead.length > 0) client.write(upHead);
      if (head.length > 0) up.write(head);
      up.pipe(client).pipe(up);
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
      sockets.add(up);
      up.once('close', () => sockets.delete(up));
    });
    upstream.on('error', () => client.destroy());
    upstream.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('MAX_CONNECTIONS_PER_IP behind a proxy, on real sockets', () => {
  const CAP = 3;
  let server: Running;
  const clients: TestClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.stop();
  });

  async function open(url: string, xff?: string): Promise<TestClient> {
    const c = await TestClient.open(url, xff ? { headers: { 'x-forwarded-for': xff } } : {});
    clients.push(c);
    return c;
  }

  async function expectRefused(c: TestClient): Promise<void> {
    expect(await c.nextType('error')).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    expect((await c.waitClosed()).code).toBe(1013);
  }

  it('TRUST_PROXY=1 through an appending proxy: forged entries do not make new addresses', async () => {
    server = await startServer({ engine: createScriptedEngine(), shop, env: { TRUST_PROXY: '1', MAX_CONNECTIONS_PER_IP: String(CAP) } });
    const proxy = await startAppendingProxy(server.url);
    try {
      const wsUrl = `${proxy.url}/ws/buyer`;
      for (let i = 0; i < CAP; i++) expect(await (await open(wsUrl, `198.51.100.${i + 1}`)).hello()).toMatchObject({ type: 'welcome' });
      // Every socket above claimed another address; the proxy appended the real one (127.0.0.1).
      await expectRefused(await open(wsUrl, '198.51.100.99'));
      await expectRefused(await open(wsUrl));
      const refusals = server.logs.filter((l) => l['msg'] === 'too many sockets from one address');
      // Refusals are logged once per address per 10 s (issue 15's log sampling): one line, for the real address.
      expect(refusals.map((l) => l['ip'])).toEqual(['127.0.0.1']);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await proxy.close();
    }
  });

  it('TRUST_PROXY=1: two real clients behind the proxy are counted apart, each up to the cap', async () => {
    server = await startServer({ engine: createScriptedEngine(), shop, env: { TRUST_PROXY: '1', MAX_CONNECTIONS_PER_IP: String(CAP) } });
    // What the proxy sends for clients 203.0.113.1 and .2, each having forged a left entry.
    for (let i = 0; i < CAP; i++) {
      expect(await (await open(server.wsUrl, `10.9.9.${i}, 203.0.113.1`)).hello()).toMatchObject({ type: 'welcome' });
      expect(await (await open(server.wsUrl, `10.8.8.${i}, 203.0.113.2`)).hello()).toMatchObject({ type: 'welcome' });
    }
    await expectRefused(await open(server.wsUrl, '10.7.7.7, 203.0.113.1'));
    await expectRefused(await open(server.wsUrl, '203.0.113.2'));
  });

  it('TRUST_PROXY=<CIDR> that does not include the peer: X-Forwarded-For is ignored entirely', async () => {
    server = await startServer({ engine: createScriptedEngine(), shop, env: { TRUST_PROXY: '10.0.0.0/8', MAX_CONNECTIONS_PER_IP: String(CAP) } });
    for (let i = 0; i < CAP; i++) expect(await (await open(server.wsUrl, `198.51.100.${i + 1}`)).hello()).toMatchObject({ type: 'welcome' });
    await expectRefused(await open(server.wsUrl, '198.51.100.200'));
  });

  it('TRUST_PROXY=<CIDR> that includes the peer: the first untrusted entry from the right is the client', async () => {
    server = await startServer({ engine: createScriptedEngine(), shop, env: { TRUST_PROXY: '127.0.0.1/32', MAX_CONNECTIONS_PER_IP: String(CAP) } });
    for (let i = 0; i < CAP; i++) expect(await (await open(server.wsUrl, `6.6.6.${i}, 203.0.113.1`)).hello()).toMatchObject({ type: 'welcome' });
    await expectRefused(await open(server.wsUrl, '6.6.6.200, 203.0.113.1'));
    expect(await (await open(server.wsUrl, '203.0.113.2')).hello()).toMatchObject({ type: 'welcome' });
  });
});
