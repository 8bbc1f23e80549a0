/**
 * `npm run bench:scale`. Part 1: the storage layer alone, side by side —
 * the embedded store (pure memory; journal with fsync 'always' group commit; journal with fsync
 * 'interval') against the Redis store on REDIS_URL (default redis://127.0.0.1:6379). Each
 * simulated buyer appends its messages one after another, as the server does per
 * conversation; many buyers run at once. Prints messages/s and p50/p99 append latency.
 *
 * Part 2: whole server processes on one Redis (a fresh key prefix, deleted afterwards) — one
 * instance vs two instances under the same load: BENCH_WS_BUYERS buyers on real WebSockets
 * (spread round-robin over the instances), each sending BENCH_WS_MESSAGES messages one after
 * another and waiting for the bot's reply before the next. Prints round trips/s and p50/p99
 * of "message sent → bot reply received", with the two-instance/one-instance ratio. The
 * processes are started like the e2e tests start them (test/e2e/support/instances.ts).
 * Server processes, Redis and the load generator share this machine's cores, so two instances
 * can only win where one was not already using them all: read the ratio with the core count.
 *
 * Options: BENCH_BUYERS (default 200), BENCH_MESSAGES (per buyer, default 50),
 * BENCH_WS_BUYERS (default 100), BENCH_WS_MESSAGES (default 30), BENCH_SKIP_INSTANCES=1.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { createMemoryStore, createRedisStore } from '../src/store';
import { silentLogger } from '../src/store/shared';
import type { Store } from '../src/store/types';
import { Buyer, deleteKeys, runPrefix, scriptsCopy, startInstance, stopAllInstances, type Instance } from '../test/e2e/support/instances';

const BUYERS = Number(process.env.BENCH_BUYERS ?? 200);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WS_BUYERS = Number(process.env.BENCH_WS_BUYERS ?? 100);
const WS_MESSAGES = Number(process.env.BENCH_WS_MESSAGES ?? 30);
/** Questions that get a bot reply without a handoff, asked in turn. */
const QUESTIONS = ['这个有货吗', '什么时候发货', '有什么颜色', '有发票吗', '你好', '好的谢谢'];

interface Result {
  name: string;
  messagesPerSec: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function run(name: string, store: Store): Promise<Result> {
  await store.ready();
  const latencies: number[] = [];
  const at = new Date().toISOString();
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: BUYERS }, async (_, b) => {
      for (let m = 0; m < MESSAGES; m++) {
        const t0 = process.hrtime.bigint();
        await store.appendMessage(`bench-${b}`, { from: 'buyer', text: '亲，什么时候发货呀', clientId: `m${m}`, at });
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  return { name, messagesPerSec: (BUYERS * MESSAGES) / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-bench-'));
  try {
    for (const [name, options] of [
      ['memory (no journal)', {}],
      ['memory + journal, fsync always', { dataDir: path.join(dir, 'always'), fsync: 'always' as const }],
      ['memory + journal, fsync interval', { dataDir: path.join(dir, 'interval'), fsync: 'interval' as const }],
    ] as const) {
      const store = createMemoryStore({ ...options, logger: silentLogger });
      results.push(await run(name, store));
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const prefix = `kefu-bench-${process.pid}-${Date.now().toString(36)}`;
  const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await admin.connect();
    const store = createRedisStore({ url: REDIS_URL, prefix, logger: silentLogger });
    results.push(await run('redis', store));
    await store.close();
  } catch (err) {
    console.log(`redis: skipped (${(err as Error).message})`);
  } finally {
    if (admin.status === 'ready') {
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await admin.del(...keys);
      } while (cursor !== '0');
      await admin.quit();
    } else {
      admin.disconnect();
    }
  }

  const base = results.find((r) => r.name === 'redis') ?? results[0];
  console.log(`\nStore appends: ${BUYERS} buyers x ${MESSAGES} messages, each buyer sequential (${os.cpus().length} cores)\n`);
  console.log(`${'store'.padEnd(36)}${'msg/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${`msg/s vs ${base?.name}`.padStart(20)}`);
  for (const r of results) {
    const ratio = base ? `${(r.messagesPerSec / base.messagesPerSec).toFixed(2)}x` : '';
    console.log(
      `${r.name.padEnd(36)}${r.messagesPerSec.toFixed(0).padStart(10)}${r.p50.toFixed(2).padStart(10)}${r.p99.toFixed(2).padStart(10)}${ratio.padStart(20)}`,
    );
  }

  if (process.env.BENCH_SKIP_INSTANCES !== '1') await benchInstances();
}

/** Part 2: one server process vs two on one Redis, buyers over WebSockets. */
async function benchInstances(): Promise<void> {
  const rows: (Result & { failed: number })[] = [];
  for (const count of [1, 2]) {
    const prefix = runPrefix('bench');
    try {
      const env = { RATE_LIMIT_MESSAGES: '100000', MAX_CONNECTIONS_PER_IP: '100000', NEW_SESSIONS_PER_IP: '1000000', LOG_LEVEL: 'warn' };
      const instances = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          startInstance({ name: `bench-${count}-${i}`, redisUrl: REDIS_URL, prefix, scriptsDir: scriptsCopy(), env }),
        ),
      );
      rows.push({ ...(await wsLoad(instances)), name: `${count} instance${count > 1 ? 's' : ''} on one redis` });
    } catch (err) {
      console.log(`${count} instance(s): skipped (${(err as Error).message})`);
    } finally {
      await stopAllInstances();
      await deleteKeys(REDIS_URL, prefix).catch(() => undefined);
    }
  }
  const one = rows[0];
  console.log(
    `\nServer instances: ${WS_BUYERS} buyers x ${WS_MESSAGES} messages over WebSockets, message → bot reply (${os.cpus().length} cores shared by servers, redis and load)\n`,
  );
  console.log(
    `${'setup'.padEnd(36)}${'msg/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'failed'.padStart(8)}${'msg/s ratio'.padStart(13)}${'p99 ratio'.padStart(11)}`,
  );
  for (const r of rows) {
    const tp = one ? `${(r.messagesPerSec / one.messagesPerSec).toFixed(2)}x` : '';
    const p99 = one && one.p99 > 0 ? `${(r.p99 / one.p99).toFixed(2)}x` : '';
    console.log(
      `${r.name.padEnd(36)}${r.messagesPerSec.toFixed(0).padStart(10)}${r.p50.toFixed(1).padStart(10)}${r.p99.toFixed(1).padStart(10)}${String(r.failed).padStart(8)}${tp.padStart(13)}${p99.padStart(11)}`,
    );
  }
}

/** Connects the buyers round-robin, warms up with one message each, then measures. */
async function wsLoad(instances: Instance[]): Promise<Result & { failed: number }> {
  const buyers = await Promise.all(Array.from({ length: WS_BUYERS }, (_, i) => Buyer.open(instances[i % instances.length]!, {}, `w${i}`)));
  const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
    Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('no reply')), ms).unref())]);
  try {
    await Promise.all(buyers.map((b) => withTimeout(b.ask('你好'), 30_000)));
    const latencies: number[] = [];
    let failed = 0;
    const start = process.hrtime.bigint();
    await Promise.all(
      buyers.map(async (b, i) => {
        for (let m = 0; m < WS_MESSAGES; m++) {
          const t0 = process.hrtime.bigint();
          try {
            await withTimeout(b.ask(QUESTIONS[(i + m) % QUESTIONS.length]!), 10_000);
            latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          } catch {
            failed += 1;
          }
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    latencies.sort((x, y) => x - y);
    return { name: '', messagesPerSec: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed };
  } finally {
    await Promise.all(buyers.map((b) => b.close().catch(() => undefined)));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
