/**
 * WebSocket benchmark (`npm run bench:ws`): N concurrent buyer sockets (1,000 and 2,000),
 * each sending one message a second for a fixed time, against our server as `npm start` runs
 * it (startServer, src/server.ts: the default embedded store journaling to a temp dir with
 * fsync 'always', the demo shop, the scripts, the handoff and outbox hooks) and, in the same run,
 * against a durable echo: a bare `ws` server that appends each frame to a file and
 * fdatasyncs before echoing it (frames arriving during one fdatasync share the next one, as
 * any durable server would batch them). That echo is the floor for "stored before answered"
 * on this disk. Each server runs in its own child process so its RSS is measured alone; the
 * clients run here. Prints messages/s, p50/p99 round trip and RSS and live heap per
 * connection (after a GC; RSS is noisy because freed pages are not always returned) for
 * both, and the ratios.
 *
 * Round trip on our server = buyer message sent → first bot reply received (the ack comes
 * earlier and is reported too); on the echo server = frame sent → same frame back. When a
 * buyer sends again before the previous reply arrived, the round trip is timed from the
 * older message (turns are answered in order), so a slow server is never flattered.
 *
 * A conversation the bot hands to a person (e.g. after the bargaining rounds run out) gets no
 * more bot replies; that buyer then leaves and a new buyer opens a conversation on a fresh
 * socket, so every socket keeps measuring bot turns. Handoffs are counted in the table.
 *
 *   npm run bench:ws                       # 1000 and 2000 sockets, 15 s each
 *   npm run bench:ws -- --long             # 60 s each
 *   BENCH_SECONDS=10 BENCH_SIZES=500 npm run bench:ws
 *
 * Looking into a slow run:
 *   BENCH_DETAIL=1          p50 / p99 / max per second of the run, and the server's longest
 *                           event-loop stall, journal batch times and GC time per second
 *   BENCH_CPU_PROF=<dir>    our server writes a CPU profile there (with BENCH_HEAP_PROF=1 also
 *                           an allocation profile, which slows it down a lot)
 *   BENCH_SERVER_FLAGS='…'  extra node flags for our server (e.g. --max-semi-space-size=64)
 *   BENCH_NO_WARM_UP=1      our server skips the engine warm-up main.ts does before it listens
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, fdatasync, mkdtempSync, openSync, rmSync, statSync, write } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { loadConfig } from '../src/config';
import { startServer } from '../src/server';
import { createLogger } from '../src/transport/logger';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? (process.argv.includes('--long') ? 60 : 15));
const SIZES = (process.env['BENCH_SIZES'] ?? '1000,2000').split(',').map(Number);
const ROOT = join(__dirname, '..');
/** BENCH_CPU_PROF=<dir>: our server writes a V8 CPU profile (with BENCH_HEAP_PROF, allocations.heapprofile too) there, for Chrome DevTools. */
const PROFILE_DIR = process.env['BENCH_CPU_PROF'];

// Our own questions (never taken from the measuring data), rotated across buyers.
const QUESTIONS = [
  '什么时候发货呀',
  '能便宜点吗',
  '还有黑色M码吗',
  '可以货到付款吗',
  '能开发票吗',
  '我想改一下收货地址',
  '谢谢啦',
  '这件大衣是什么面料',
];

type Target = 'ours' | 'echo';

// ---------------------------------------------------------------- server side (child)

/** Runs one server; `dir` (made and removed by the parent, which kills this process) holds its durable file. */
async function serve(target: Target, dir: string): Promise<void> {
  let port: number;
  /** The file the server makes durable (journal or echo log), for bytes written per message. */
  let durableFile = '';
  if (target === 'echo') {
    durableFile = join(dir, 'frames.log');
    const fd = openSync(durableFile, 'a');
    process.on('exit', () => closeSync(fd));
    const echoDurably = durableAppender(fd);
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 8192 });
    wss.on('connection', (ws) =>
      ws.on('message', (data, isBinary) => {
        const frame = Buffer.from(data as Buffer);
        echoDurably(frame, () => ws.send(frame, { binary: isBinary }));
      }),
    );
    await new Promise<void>((r) => wss.once('listening', () => r()));
    port = (wss.address() as AddressInfo).port;
  } else {
    const dataDir = dir;
    durableFile = join(dataDir, 'journal.jsonl');
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SCRIPTS_DIR: ROOT,
      SHOP_DIR: join(ROOT, 'demo/shop'),
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      MAX_CONNECTIONS_PER_IP: '100000',
      RATE_LIMIT_MESSAGES: '100000',
      NEW_SESSIONS_PER_IP: '1000000',
    });
    // The server as `npm start` runs it (src/server.ts), with the benchmark's address limits.
    const server = await startServer(config, {
      logger: createLogger({ level: 'warn', destination: process.stderr as never }),
      onJournalBatch: (batch) => journalWatch.add(batch.ms),
      warmUp: !process.env['BENCH_NO_WARM_UP'],
    });
    port = server.port;
  }
  if (PROFILE_DIR) process.on('SIGTERM', () => void stopProfiling().then(() => process.exit(0)));
  if (PROFILE_DIR && process.env['BENCH_HEAP_PROF'] && target === 'ours') await startAllocationProfile(PROFILE_DIR);
  if (process.env['BENCH_DETAIL'] && target === 'ours') watchStalls();
  process.on('message', (m: unknown) => {
    // Collect garbage first so the figure is live memory, not whatever the GC has not reclaimed yet.
    // 'cpu' (the samples around the measured window) skips the GC: a full collection forced
    // just before measuring would stall every buyer's first measured reply.
    if (m === 'rss' || m === 'cpu') {
      if (m === 'rss') (globalThis as { gc?: () => void }).gc?.();
      const mem = process.memoryUsage();
      const cpu = process.cpuUsage();
      process.send?.({ rss: mem.rss, heap: mem.heapUsed + mem.external, cpuMs: (cpu.user + cpu.system) / 1000, fileBytes: fileSize(durableFile) });
    }
  });
  process.send?.({ port });
}

/**
 * BENCH_DETAIL: the server prints, each second, its longest event-loop stall and the time spent
 * in each kind of garbage collection (to tell a slow second's cause).
 */
/** Journal batches (write + fsync) per second, for BENCH_DETAIL. */
const journalWatch = {
  n: 0,
  ms: 0,
  max: 0,
  add(ms: number): void {
    this.n += 1;
    this.ms += ms;
    this.max = Math.max(this.max, ms);
  },
  text(): string {
    const t = `journal ${this.n} batches, mean ${(this.ms / Math.max(1, this.n)).toFixed(1)} ms, max ${this.max.toFixed(0)} ms`;
    this.n = 0;
    this.ms = 0;
    this.max = 0;
    return t;
  },
};

function watchStalls(): void {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const gc = new Map<string, { n: number; ms: number; max: number }>();
  const kinds: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = kinds[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
      const g = gc.get(kind) ?? { n: 0, ms: 0, max: 0 };
      g.n += 1;
      g.ms += e.duration;
      g.max = Math.max(g.max, e.duration);
      gc.set(kind, g);
    }
  }).observe({ entryTypes: ['gc'] });
  let second = 0;
  setInterval(() => {
    const gcText = [...gc].map(([k, g]) => `${k} ${g.n}× ${g.ms.toFixed(0)} ms (max ${g.max.toFixed(0)})`).join(', ');
    process.stderr.write(`      server t${second++}: loop delay max ${(loop.max / 1e6).toFixed(0)} ms; ${journalWatch.text()}; gc ${gcText}\n`);
    loop.reset();
    gc.clear();
  }, 1000).unref();
}

let stopProfiling: () => Promise<void> = async () => {};

/**
 * With BENCH_CPU_PROF and BENCH_HEAP_PROF, also samples allocations, the collected ones included (that is the
 * garbage a turn makes), and writes them as `<dir>/allocations.heapprofile` (Chrome DevTools,
 * Memory tab) when the run stops the server.
 */
async function startAllocationProfile(dir: string): Promise<void> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  await post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  stopProfiling = async () => {
    const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'allocations.heapprofile'), JSON.stringify(profile));
  };
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * The durable echo's file: appends a frame and calls `done` once it is fdatasynced. Frames
 * arriving while a write + fdatasync is in flight go out together in the next one (group commit).
 */
function durableAppender(fd: number): (frame: Buffer, done: () => void) => void {
  let queue: { frame: Buffer; done: () => void }[] = [];
  let busy = false;
  const flush = (): void => {
    if (queue.length === 0) {
      busy = false;
      return;
    }
    busy = true;
    const batch = queue;
    queue = [];
    const data = Buffer.concat(batch.flatMap((b) => [b.frame, Buffer.from('\n')]));
    write(fd, data, (err) => {
      if (err) throw err;
      fdatasync(fd, (err2) => {
        if (err2) throw err2;
        for (const b of batch) b.done();
        flush();
      });
    });
  };
  return (frame, done) => {
    queue.push({ frame, done });
    if (!busy) flush();
  };
}

// ---------------------------------------------------------------- client side (parent)

/** What the server child reports: memory after a GC, CPU time so far, bytes in its durable file. */
interface Sample {
  rss: number;
  heap: number;
  cpuMs: number;
  fileBytes: number;
}

interface Child {
  proc: ChildProcess;
  port: number;
  /** Memory (RSS, live JS heap + external; after a GC unless `collect` is false), CPU time and durable-file size. */
  rss(collect?: boolean): Promise<Sample>;
}

function startChild(target: Target, dir: string): Promise<Child> {
  const proc = fork(__filename, ['--serve', target, dir], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [
      ...process.execArgv,
      '--expose-gc',
      ...(target === 'ours' ? (process.env['BENCH_SERVER_FLAGS'] ?? '').split(' ').filter(Boolean) : []),
      ...(PROFILE_DIR && target === 'ours' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
    ],
  });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`${target} server exited with ${code}`)));
    proc.once('message', (m: unknown) => {
      const port = (m as { port?: number }).port;
      if (typeof port !== 'number') return reject(new Error('no port from child'));
      resolve({
        proc,
        port,
        rss: (collect = true) =>
          new Promise<Sample>((r) => {
            const onMessage = (msg: unknown): void => {
              const sample = msg as Partial<Sample>;
              if (typeof sample.rss === 'number' && typeof sample.heap === 'number') {
                proc.off('message', onMessage);
                r(sample as Sample);
              }
            };
            proc.on('message', onMessage);
            proc.send(collect ? 'rss' : 'cpu');
          }),
      });
    });
  });
}

interface Result {
  target: Target;
  sockets: number;
  sent: number;
  received: number;
  perSecond: number;
  p50: number;
  p99: number;
  ackP50?: number;
  ackP99?: number;
  rssPerConnKb: number;
  heapPerConnKb: number;
  errors: number;
  handoffs: number;
  /** Server CPU time per answered message while measuring. */
  cpuMsPerMsg: number;
  /** The clients' CPU time (this process, same machine) per answered message: what the server competes with. */
  clientCpuMsPerMsg: number;
  /** Bytes added to the server's durable file per answered message while measuring. */
  bytesPerMsg: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Stats {
  rtt: number[];
  /** When each round trip ended (performance.now()), for BENCH_DETAIL's per-second figures. */
  rttAt: number[];
  ack: number[];
  sent: number;
  received: number;
  errors: number;
  handoffs: number;
  measuring: boolean;
}

/** One buyer socket: sends a message a second, records round trips. */
class Buyer {
  ws!: WebSocket;
  private sentAt = new Map<string, number>();
  private awaitingReply: number | null = null;
  private n = 0;
  private url = '';
  private stopped = false;
  constructor(
    private readonly index: number,
    private readonly target: Target,
    private readonly stats: Stats,
  ) {}

  open(url: string): Promise<void> {
    this.url = url;
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(url);
      this.ws.on('error', (e) => {
        if (!this.stopped) this.stats.errors++;
        reject(e);
      });
      this.ws.on('message', (data) => this.onFrame(data.toString()));
      if (this.target === 'echo') {
        this.ws.once('open', () => resolve());
        return;
      }
      // Ready once welcomed and greeted.
      this.ws.once('open', () => this.ws.send(JSON.stringify({ type: 'hello' })));
      const ready = (data: WebSocket.RawData): void => {
        const f = JSON.parse(data.toString()) as { type: string; from?: string };
        if (f.type === 'message' && f.from === 'bot') {
          this.ws.off('message', ready);
          resolve();
        }
      };
      this.ws.on('message', ready);
    });
  }

  send(): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const id = `${this.index}-${this.n++}`;
    const text = QUESTIONS[(this.index + this.n) % QUESTIONS.length] as string;
    const now = performance.now();
    if (this.stats.measuring) this.stats.sent++;
    if (this.target === 'echo') {
      this.sentAt.set(id, now);
      this.ws.send(JSON.stringify({ type: 'message', id, text }));
      return;
    }
    this.sentAt.set(id, now);
    this.awaitingReply ??= now;
    this.ws.send(JSON.stringify({ type: 'message', id, text }));
  }

  /** Stops replacing handed-off buyers (end of the run). */
  stop(): void {
    this.stopped = true;
  }

  /** The conversation went to a person: this buyer leaves, a new one chats on a fresh socket. */
  private replace(): void {
    if (this.stopped) return;
    const old = this.ws;
    this.awaitingReply = null;
    this.sentAt.clear();
    old.removeAllListeners('message');
    old.close();
    this.open(this.url).catch(() => undefined);
  }

  private onFrame(raw: string): void {
    const f = JSON.parse(raw) as { type: string; id?: string; from?: string };
    const now = performance.now();
    if (this.target === 'echo') {
      const t = f.id ? this.sentAt.get(f.id) : undefined;
      if (t === undefined || !f.id) return;
      this.sentAt.delete(f.id);
      if (this.stats.measuring) {
        this.stats.rtt.push(now - t);
        this.stats.received++;
      }
      return;
    }
    if (f.type === 'ack' && f.id) {
      const t = this.sentAt.get(f.id);
      this.sentAt.delete(f.id);
      if (t !== undefined && this.stats.measuring) this.stats.ack.push(now - t);
    } else if (f.type === 'message' && f.from === 'bot' && this.awaitingReply !== null) {
      if (this.stats.measuring) {
        this.stats.rtt.push(now - this.awaitingReply);
        this.stats.rttAt.push(now);
        this.stats.received++;
      }
      this.awaitingReply = null;
    } else if (f.type === 'handoff' && (f as { status?: string }).status === 'queued') {
      if (this.stats.measuring) this.stats.handoffs++;
      this.replace();
    } else if (f.type === 'error') {
      this.stats.errors++;
    }
  }
}

async function run(target: Target, sockets: number): Promise<Result> {
  // Made and removed here: the server is killed at the end, so it cannot clean up after itself.
  const dir = mkdtempSync(join(tmpdir(), target === 'echo' ? 'kefu-bench-echo-' : 'kefu-bench-'));
  const child = await startChild(target, dir).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  try {
    await sleep(300);
    const base = await child.rss();
    const stats: Stats = { rtt: [], rttAt: [], ack: [], sent: 0, received: 0, errors: 0, handoffs: 0, measuring: false };
    const url = target === 'echo' ? `ws://127.0.0.1:${child.port}/` : `ws://127.0.0.1:${child.port}/ws/buyer`;
    const buyers = Array.from({ length: sockets }, (_, i) => new Buyer(i, target, stats));
    // Open in batches so the accept queue is not the thing being measured.
    for (let i = 0; i < buyers.length; i += 100) await Promise.all(buyers.slice(i, i + 100).map((b) => b.open(url)));
    await sleep(500);
    const connected = await child.rss();

    // Each buyer sends once a second, phases spread evenly over the second.
    const timers = buyers.map((b, i) =>
      setTimeout(
        () => {
          b.send();
          timers[i] = setInterval(() => b.send(), 1000) as unknown as NodeJS.Timeout;
        },
        (i / sockets) * 1000,
      ),
    );
    await sleep(2000); // warm-up, not measured
    const before = await child.rss(false);
    stats.measuring = true;
    const started = performance.now();
    const clientCpuBefore = process.cpuUsage();
    await sleep(SECONDS * 1000);
    stats.measuring = false;
    const after = await child.rss(false);
    const elapsed = (performance.now() - started) / 1000;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    for (const t of timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    for (const b of buyers) b.stop();
    await Promise.all(
      buyers.map(
        (b) =>
          new Promise<void>((r) => {
            if (b.ws.readyState === WebSocket.CLOSED) return r();
            b.ws.once('close', () => r());
            b.ws.close();
          }),
      ),
    );
    if (process.env['BENCH_DETAIL']) printPerSecond(target, sockets, stats, started);
    const rtt = [...stats.rtt].sort((a, b) => a - b);
    const ack = [...stats.ack].sort((a, b) => a - b);
    return {
      target,
      sockets,
      sent: stats.sent,
      received: stats.received,
      perSecond: stats.received / elapsed,
      p50: percentile(rtt, 50),
      p99: percentile(rtt, 99),
      ...(target === 'ours' ? { ackP50: percentile(ack, 50), ackP99: percentile(ack, 99) } : {}),
      rssPerConnKb: (connected.rss - base.rss) / sockets / 1024,
      heapPerConnKb: (connected.heap - base.heap) / sockets / 1024,
      errors: stats.errors,
      handoffs: stats.handoffs,
      cpuMsPerMsg: (after.cpuMs - before.cpuMs) / Math.max(1, stats.received),
      clientCpuMsPerMsg: (clientCpu.user + clientCpu.system) / 1000 / Math.max(1, stats.received),
      bytesPerMsg: (after.fileBytes - before.fileBytes) / Math.max(1, stats.received),
    };
  } finally {
    child.proc.removeAllListeners('exit');
    if (PROFILE_DIR && target === 'ours') {
      // A clean exit, so V8 writes the profile.
      child.proc.kill('SIGTERM');
      await new Promise((r) => child.proc.once('exit', r));
    } else {
      child.proc.kill('SIGKILL');
      await new Promise((r) => child.proc.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** BENCH_DETAIL=1: p50 / p99 / max of the replies received in each second of the run (where the slow ones are). */
function printPerSecond(target: Target, sockets: number, stats: Stats, started: number): void {
  const bySecond = new Map<number, number[]>();
  stats.rttAt.forEach((at, i) => {
    const second = Math.floor((at - started) / 1000);
    bySecond.set(second, [...(bySecond.get(second) ?? []), stats.rtt[i] as number]);
  });
  for (const [second, values] of [...bySecond].sort((a, b) => a[0] - b[0])) {
    const sorted = values.sort((a, b) => a - b);
    process.stdout.write(
      `    ${target} ${sockets} s${second}: n ${sorted.length} p50 ${fmt(percentile(sorted, 50))} p99 ${fmt(percentile(sorted, 99))} max ${fmt(sorted[sorted.length - 1])}\n`,
    );
  }
}

function fmt(n: number | undefined, digits = 1): string {
  return n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);
}

async function main(): Promise<void> {
  process.stdout.write(`bench:ws — ${SECONDS}s per run, sockets: ${SIZES.join(', ')}, one message per socket per second\n\n`);
  const rows: Result[] = [];
  for (const n of SIZES) {
    for (const target of ['ours', 'echo'] as const) {
      process.stdout.write(`  running ${target} with ${n} sockets…\n`);
      rows.push(await run(target, n));
    }
  }
  process.stdout.write('\n');
  const header = [
    'target',
    'sockets',
    'msgs/s',
    'reply p50 ms',
    'reply p99 ms',
    'ack p50 ms',
    'ack p99 ms',
    'RSS/conn KB',
    'heap/conn KB',
    'CPU ms/msg',
    'client CPU ms/msg',
    'disk B/msg',
    'sent',
    'answered',
    'handoffs',
    'errors',
  ];
  const table = rows.map((r) => [
    r.target === 'ours' ? 'kefu server' : 'durable echo',
    String(r.sockets),
    fmt(r.perSecond),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    fmt(r.ackP50, 2),
    fmt(r.ackP99, 2),
    fmt(r.rssPerConnKb),
    fmt(r.heapPerConnKb),
    fmt(r.cpuMsPerMsg, 2),
    fmt(r.clientCpuMsPerMsg, 2),
    fmt(r.bytesPerMsg, 0),
    String(r.sent),
    String(r.received),
    r.target === 'ours' ? String(r.handoffs) : '-',
    String(r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  process.stdout.write(`${line(header)}\n${table.map(line).join('\n')}\n\n`);
  for (const n of SIZES) {
    const ours = rows.find((r) => r.target === 'ours' && r.sockets === n);
    const echo = rows.find((r) => r.target === 'echo' && r.sockets === n);
    if (!ours || !echo) continue;
    process.stdout.write(
      `  ${n} sockets, ours / echo: msgs/s ×${fmt(ours.perSecond / echo.perSecond, 2)}, p50 ×${fmt(ours.p50 / echo.p50, 1)}, p99 ×${fmt(ours.p99 / echo.p99, 1)}, RSS/conn ×${fmt(ours.rssPerConnKb / echo.rssPerConnKb, 1)}, heap/conn ×${fmt(ours.heapPerConnKb / echo.heapPerConnKb, 1)}\n`,
    );
  }
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3] === 'echo' ? 'echo' : 'ours', process.argv[4] as string).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
