/**
 * Spawns real server processes (`node -r tsx/cjs src/main.ts`, the fastest way to start the
 * TypeScript entry point) for the multi-instance and fault tests: PORT=0, the port read from
 * the "listening" log line, /healthz polled until it answers, stdout JSON logs collected.
 * Every child is remembered so `stopAllInstances` can kill whatever a failed test left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createRedisStore } from '../../../src/store';
import { silentLogger } from '../../../src/store/shared';
import type { Store } from '../../../src/store/types';
import { deleteKeysUnder } from '../../store/redis-harness';
import { TestClient, type Frame } from '../../transport/harness';

export const ROOT = join(__dirname, '../../..');
export const TOKENS = { xiaomei: 'tok-xiaomei-e2e', ajie: 'tok-ajie-e2e', boss: 'tok-boss-e2e' };

export interface Instance {
  readonly name: string;
  readonly url: string;
  readonly wsUrl: string;
  readonly child: ChildProcess;
  /** Parsed JSON log lines (stdout) so far. */
  readonly logs: Record<string, unknown>[];
  /** Raw stderr text. */
  stderr(): string;
  health(): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Sends a signal; resolves when the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited after 15 s. */
  stop(): Promise<void>;
}

const running = new Set<Instance>();
const tempDirs: string[] = [];

let counter = 0;
/** A Redis key prefix unique to this test run (no braces, no glob characters). */
export function runPrefix(label: string): string {
  counter += 1;
  return `kefu-test-${label}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** A temp copy of intents/ and templates/ (publishing rewrites files only on the embedded store, but never risk the repo's). */
export function scriptsCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-e2e-scripts-'));
  cpSync(join(ROOT, 'intents'), join(dir, 'intents'), { recursive: true });
  cpSync(join(ROOT, 'templates'), join(dir, 'templates'), { recursive: true });
  tempDirs.push(dir);
  return dir;
}

/** A temp directory removed by stopAllInstances. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kefu-e2e-${label}-`));
  tempDirs.push(dir);
  return dir;
}

export interface StartInstanceOptions {
  name: string;
  redisUrl: string;
  prefix: string;
  scriptsDir: string;
  env?: Record<string, string>;
}

/** Starts one server process and resolves once /healthz answers 200. */
export async function startInstance(opts: StartInstanceOptions): Promise<Instance> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: opts.prefix,
    SCRIPTS_DIR: opts.scriptsDir,
    DATA_DIR: join(opts.scriptsDir, 'data'),
    AGENT_TOKENS: `xiaomei:${TOKENS.xiaomei}:5,ajie:${TOKENS.ajie}:5`,
    // Away hands chats over at once in these tests (the grace has its own test).
    AWAY_GRACE_MS: '0',
    MANAGER_TOKENS: `boss:${TOKENS.boss}`,
    INSTANCE_ID: opts.name,
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let pending = '';
  let onLine: (() => void) | null = null;
  let bannerPort: number | null = null;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      // The URL banner is printed whatever LOG_LEVEL says; its Health line carries the port.
      const health = /Health:\s+http:\/\/\S+:(\d+)\/healthz/.exec(line);
      if (health) bannerPort = Number(health[1]);
      if (!line.startsWith('{')) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a partial or foreign line: ignore
      }
    }
    onLine?.();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const check = (): void => {
      const line = logs.find((l) => l['msg'] === 'listening');
      if (line) resolve(Number(line['port']));
      else if (bannerPort !== null) resolve(bannerPort);
    };
    onLine = check;
    void exited.then(() => reject(new Error(`instance ${opts.name} exited before listening:\n${stderr}\n${JSON.stringify(logs.slice(-5))}`)));
  });
  onLine = null;
  const url = `http://127.0.0.1:${port}`;

  const instance: Instance = {
    name: opts.name,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws/buyer`,
    child,
    logs,
    stderr: () => stderr,
    async health() {
      const res = await fetch(`${url}/healthz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      running.delete(instance);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) {
        running.delete(instance);
        return;
      }
      const hard = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(hard);
      running.delete(instance);
    },
  };
  running.add(instance);
  for (let i = 0; ; i++) {
    try {
      if ((await instance.health()).status === 200) break;
    } catch {
      // not answering yet
    }
    if (i > 200) throw new Error(`instance ${opts.name} never answered /healthz`);
    await sleep(50);
  }
  return instance;
}

/** Kills every instance still running and removes temp directories (afterAll). */
export async function stopAllInstances(): Promise<void> {
  await Promise.all([...running].map((i) => i.stop()));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Deletes every key under the prefix on the Redis at `url`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const admin = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  try {
    await deleteKeysUnder(admin, prefix.replace(/:+$/, ''));
  } finally {
    admin.disconnect();
  }
}

/** Number of keys under the prefix (to check cleanup). */
export async function countKeys(url: string, prefix: string): Promise<number> {
  const admin = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      n += keys.length;
    } while (cursor !== '0');
    return n;
  } finally {
    admin.disconnect();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it is true (tests bound the wait with jest's timeout, never with assertions on time). */
export async function until(check: () => boolean | Promise<boolean>, intervalMs = 50): Promise<void> {
  while (!(await check())) await sleep(intervalMs);
}

/** A buyer socket with helpers: send a message, wait for its ack, wait for bot replies after it. */
export class Buyer {
  private n = 0;
  constructor(
    readonly client: TestClient,
    readonly welcome: Frame,
    private readonly label: string,
  ) {}

  static async open(instance: Instance, hello: Record<string, unknown> = {}, label = 'b'): Promise<Buyer> {
    const client = await TestClient.open(instance.wsUrl);
    const welcome = await client.hello(hello);
    return new Buyer(client, welcome, label);
  }

  get buyerId(): string {
    return String(this.welcome['buyerId']);
  }
  get resumeToken(): string {
    return String(this.welcome['resumeToken']);
  }
  get conversationId(): string {
    return String(this.welcome['conversationId']);
  }

  /** Sends a message and resolves with its ack frame (seq). */
  async send(text: string, id = `${this.label}-${++this.n}-${Math.random().toString(36).slice(2, 8)}`): Promise<{ id: string; seq: number }> {
    this.client.send({ type: 'message', id, text });
    const ack = await this.client.next((f) => (f.type === 'ack' || f.type === 'error') && f['id'] === id, `ack of ${id}`);
    if (ack.type !== 'ack') throw new Error(`message ${id} refused: ${JSON.stringify(ack)}`);
    return { id, seq: Number(ack['seq']) };
  }

  /** Sends a message and resolves with the first bot message after its ack. */
  async ask(text: string): Promise<{ id: string; seq: number; reply: Frame }> {
    const sent = await this.send(text);
    const reply = await this.nextBot(sent.seq);
    return { ...sent, reply };
  }

  /** All frames seen so far with a bot message after `seq`, or waits for the first one. */
  async nextBot(afterSeq: number): Promise<Frame> {
    const seen = this.client.frames.find((f) => f.type === 'message' && f['from'] === 'bot' && Number(f['seq']) > afterSeq);
    if (seen) return seen;
    return this.client.next((f) => f.type === 'message' && f['from'] === 'bot' && Number(f['seq']) > afterSeq, `bot reply after ${afterSeq}`);
  }

  /** Message and ack frames as [seq, from, text] in arrival order. */
  timeline(): { seq: number; from: string; text?: string; id?: string }[] {
    return this.client.frames
      .filter((f) => f.type === 'message' || f.type === 'ack')
      .map((f) =>
        f.type === 'ack'
          ? { seq: Number(f['seq']), from: 'buyer', id: String(f['id']) }
          : { seq: Number(f['seq']), from: String(f['from']), text: String(f['text']), ...(f['id'] ? { id: String(f['id']) } : {}) },
      );
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * Like client.next(pred) but fails with the frames seen so far when nothing matches within
 * `ms` (a diagnostic bound far above normal, not a timing assertion).
 */
export async function expectFrame(client: TestClient, pred: (f: Frame) => boolean, what: string, ms = 30_000): Promise<Frame> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; frames: ${JSON.stringify(client.frames).slice(-3000)}`)), ms);
  });
  try {
    return await Promise.race([client.next(pred, what), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Two server processes on the shared Redis under one fresh prefix, and a store that reads it. */
export interface RedisPair {
  a: Instance;
  b: Instance;
  /** Reads what the instances wrote, as a third process would. */
  reader: Store;
  /** Closes the given sockets, kills the instances, deletes every key of the prefix. */
  teardown(sockets: TestClient[]): Promise<void>;
}

export const SHARED_REDIS = 'redis://127.0.0.1:6379';

/**
 * Starts two instances on 127.0.0.1:6379, each with its own copy of the scripts (so whatever
 * the second serves can only have come through Redis).
 */
export async function startRedisPair(label: string, names: [string, string], env?: Record<string, string>): Promise<RedisPair> {
  const prefix = runPrefix(label);
  const start = (name: string) => startInstance({ name, redisUrl: SHARED_REDIS, prefix, scriptsDir: scriptsCopy(), ...(env ? { env } : {}) });
  const [a, b] = await Promise.all([start(names[0]), start(names[1])]);
  const reader = createRedisStore({ url: SHARED_REDIS, prefix, logger: silentLogger });
  await reader.ready();
  return {
    a,
    b,
    reader,
    async teardown(sockets) {
      await Promise.all(sockets.map((s) => s.close().catch(() => undefined)));
      await stopAllInstances();
      await reader.close();
      await deleteKeys(SHARED_REDIS, prefix);
      expect(await countKeys(SHARED_REDIS, prefix)).toBe(0);
    },
  };
}
