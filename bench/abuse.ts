/**
 * Issue 15's "done when", measured from outside against a real server process (tsx
 * src/main.ts, embedded store in a temp DATA_DIR):
 *  1. 10 never-reading sockets flood invalid frames for 60 s (reconnecting when dropped):
 *     the server's peak RSS, and the slowest reply a quiet buyer got meanwhile;
 *  2. `constructor` after a clarifying question gets a normal reply;
 *  3. 20,000 anonymous hellos: RSS before, at the peak and after the sessions expired.
 * Usage: npx tsx bench/abuse.ts [port]   (default 3300; uses port and port+1)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

const ROOT = join(__dirname, '..');
const basePort = Number(process.argv[2] ?? 3300);

interface Server {
  proc: ChildProcess;
  url: string;
  out: string[];
  dir: string;
}

async function startServer(port: number, env: Record<string, string>): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-abuse-'));
  // `-r tsx/cjs` in this process (not the tsx CLI, which runs the server in a child): RSS is the server's.
  const proc = spawn(process.execPath, ['-r', 'tsx/cjs', join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => out.push(...d.toString().split('\n')));
  proc.stderr?.on('data', (d: Buffer) => out.push(...d.toString().split('\n')));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  return { proc, url, out, dir };
}

async function stopServer(s: Server): Promise<void> {
  s.proc.kill('SIGTERM');
  await new Promise((r) => s.proc.once('exit', r));
  rmSync(s.dir, { recursive: true, force: true });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A buyer that reads: hello, then `ask` resolves with the reply to a message and how long it took. */
async function buyer(wsUrl: string): Promise<{ ask(text: string): Promise<{ text: string; ms: number; handoff: boolean }>; close(): void }> {
  const ws = new WebSocket(wsUrl);
  const frames: Record<string, unknown>[] = [];
  let wake: (() => void) | null = null;
  ws.on('message', (d) => {
    frames.push(JSON.parse(d.toString()) as Record<string, unknown>);
    wake?.();
  });
  await new Promise((r) => ws.once('open', r));
  const next = async (pred: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
    for (;;) {
      const i = frames.findIndex(pred);
      if (i >= 0) return frames.splice(0, i + 1)[i] as Record<string, unknown>;
      await new Promise<void>((r) => (wake = r));
    }
  };
  ws.send(JSON.stringify({ type: 'hello' }));
  await next((f) => f['type'] === 'welcome');
  let n = 0;
  return {
    async ask(text) {
      const id = `q${++n}`;
      const t0 = performance.now();
      ws.send(JSON.stringify({ type: 'message', id, text }));
      await next((f) => f['type'] === 'ack' && f['id'] === id);
      const reply = await next((f) => f['type'] === 'message' && f['from'] === 'bot');
      const handoff = frames.some((f) => f['type'] === 'handoff');
      return { text: String(reply['text']), ms: performance.now() - t0, handoff };
    },
    close: () => ws.close(),
  };
}

async function neverReadingFlood(s: Server, seconds: number): Promise<{ peakRss: number; slowestReplyMs: number; replies: number }> {
  const wsUrl = `${s.url.replace('http', 'ws')}/ws/buyer`;
  const pid = s.proc.pid!;
  const slots: (WebSocket | null)[] = Array.from({ length: 10 }, () => null);
  const quiet = await buyer(wsUrl);
  let peakRss = rssMb(pid);
  let slowest = 0;
  let replies = 0;
  const end = Date.now() + seconds * 1000;
  let quietBusy = false;
  let lastAsk = 0;
  while (Date.now() < end) {
    for (let i = 0; i < slots.length; i++) {
      const ws = slots[i];
      const sock = (ws as unknown as { _socket?: Socket } | null)?._socket;
      if (!ws || ws.readyState > WebSocket.OPEN || (sock && sock.destroyed)) {
        const fresh = new WebSocket(wsUrl);
        fresh.on('error', () => undefined);
        fresh.once('open', () => (fresh as unknown as { _socket: Socket })._socket.pause());
        slots[i] = fresh;
        continue;
      }
      if (ws.readyState === WebSocket.OPEN) for (let k = 0; k < 200; k++) ws.send('x');
    }
    // One question a second: within the quiet buyer's own rate limit (20 per 10 s).
    if (!quietBusy && Date.now() - lastAsk >= 1000) {
      quietBusy = true;
      lastAsk = Date.now();
      void quiet.ask('你好').then((r) => {
        slowest = Math.max(slowest, r.ms);
        replies += 1;
        quietBusy = false;
      });
    }
    peakRss = Math.max(peakRss, rssMb(pid));
    await sleep(20);
  }
  for (const ws of slots) ws?.terminate();
  quiet.close();
  return { peakRss, slowestReplyMs: Math.round(slowest), replies };
}

/** The server's live JS heap in MB (prom-client's kefu_nodejs_heap_size_used_bytes; needs METRICS_PUBLIC). */
async function heapUsedMb(s: Server): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return Math.round(Number(/^kefu_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? NaN) / 1048576);
}

async function helloFlood(
  s: Server,
  count: number,
): Promise<{ before: number; peak: number; after: number; removed: number; heapBefore: number; heapAfter: number }> {
  const wsUrl = `${s.url.replace('http', 'ws')}/ws/buyer`;
  const pid = s.proc.pid!;
  await sleep(2000);
  const before = rssMb(pid);
  const heapBefore = await heapUsedMb(s);
  let peak = before;
  for (let done = 0; done < count; done += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const ws = new WebSocket(wsUrl);
        await new Promise((r) => ws.once('open', r));
        ws.send(JSON.stringify({ type: 'hello' }));
        await new Promise((r) => ws.once('message', r));
        ws.close();
      }),
    );
    if (done % 1000 === 0) peak = Math.max(peak, rssMb(pid));
  }
  peak = Math.max(peak, rssMb(pid));
  const removedSoFar = (): number =>
    s.out.filter((l) => l.includes('expired idle sessions')).reduce((n, l) => n + Number((JSON.parse(l) as { removed?: number }).removed ?? 0), 0);
  while (removedSoFar() < count) await sleep(500);
  await sleep(5000);
  return { before, peak, after: rssMb(pid), removed: removedSoFar(), heapBefore, heapAfter: await heapUsedMb(s) };
}

async function main(): Promise<void> {
  if (process.env['BENCH_ONLY'] === 'hellos') return hellosOnly();
  const a = await startServer(basePort, {});
  const flood = await neverReadingFlood(a, 60);
  const wsUrl = `${a.url.replace('http', 'ws')}/ws/buyer`;
  const b = await buyer(wsUrl);
  const clarify = await b.ask('那个');
  const constructorReply = await b.ask('constructor');
  const holding = '亲，稍等一下哦，我请同事马上来为您处理～'; // templates/system.yaml error move: what a crashed turn says
  b.close();
  await stopServer(a);
  console.log(
    JSON.stringify(
      { neverReadingSockets: flood, clarify: clarify.text, constructor: { ...constructorReply, crashedTurn: constructorReply.text === holding } },
      null,
      2,
    ),
  );

  await hellosOnly();
}

async function hellosOnly(): Promise<void> {
  const h = await startServer(basePort + 1, {
    ANON_SESSION_TTL_MS: '5000',
    NEW_SESSIONS_PER_IP: '1000000',
    MAX_CONNECTIONS_PER_IP: '100000',
    METRICS_PUBLIC: 'true',
  });
  const hellos = await helloFlood(h, 20_000);
  await stopServer(h);
  console.log(JSON.stringify({ hellos20k: hellos }, null, 2));
}

void main();
