/**
 * Memory after a flood of anonymous hellos (`npm run bench:hellos`, issue 15): starts the
 * server in a child process (real engine, the default embedded store journaling to a temp
 * dir, a short ANON_SESSION_TTL_MS), measures its RSS from outside (/proc/<pid>/status), sends
 * N hellos (default 20,000) from sockets that never write and close, waits until the idle
 * sweep has removed every one of those sessions, and measures again. Prints RSS and live heap
 * (after a GC, asked of the child) before, at the peak and after expiry.
 *
 *   npm run bench:hellos
 *   HELLOS=5000 npm run bench:hellos
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createEngine } from '../src/dialogue/engine';
import { buildScriptBundle, loadScriptFiles } from '../src/scripts/bundle';
import { loadDemoShop } from '../src/shop';
import { createStore } from '../src/store';
import { createLogger } from '../src/transport/logger';

const HELLOS = Number(process.env['HELLOS'] ?? 20_000);
const TTL_MS = 5000;
const ROOT = join(__dirname, '..');

// ---------------------------------------------------------------- server (child)

async function serve(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-hellos-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    ANON_SESSION_TTL_MS: String(TTL_MS),
    MAX_CONNECTIONS_PER_IP: '100000',
    NEW_SESSIONS_PER_IP: '1000000',
  });
  const shop = loadDemoShop(join(ROOT, 'demo/shop'));
  const { bundle, errors } = buildScriptBundle(loadScriptFiles(ROOT));
  if (!bundle) throw new Error(`scripts do not build: ${JSON.stringify(errors)}`);
  const store = createStore({ dataDir });
  let removed = 0;
  // Count what the sweeper removed from its log lines (the only thing the parent needs from them).
  const destination = {
    write(line: string): void {
      const m = /"removed":(\d+)/.exec(line);
      if (m) removed += Number(m[1]);
    },
  };
  const app = createApp({
    config,
    store,
    shop,
    engine: createEngine({ shop, getScripts: () => bundle }),
    logger: createLogger({ level: 'info', destination: destination as never }),
  });
  await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', r));
  process.on('message', (m: unknown) => {
    if (m !== 'sample') return;
    (globalThis as { gc?: () => void }).gc?.();
    const mem = process.memoryUsage();
    process.send?.({ heap: mem.heapUsed + mem.external, removed });
  });
  process.send?.({ port: (app.server.address() as AddressInfo).port });
}

// ---------------------------------------------------------------- parent

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function hello(url: string): Promise<void> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'hello' })));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { type: string; from?: string };
      if (f.type === 'message' && f.from === 'bot') resolve();
    });
  });
  await new Promise<void>((r) => {
    ws.once('close', () => r());
    ws.close();
  });
}

async function main(): Promise<void> {
  const proc = fork(__filename, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, '--expose-gc'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    proc.once('message', (m) => resolve((m as { port: number }).port));
  });
  const sample = (): Promise<{ heap: number; removed: number }> =>
    new Promise((resolve) => {
      const on = (m: unknown): void => {
        if (typeof (m as { heap?: number }).heap !== 'number') return;
        proc.off('message', on);
        resolve(m as { heap: number; removed: number });
      };
      proc.on('message', on);
      proc.send('sample');
    });
  const pid = proc.pid as number;
  const mb = (n: number): string => (n / 1e6).toFixed(0).padStart(8);
  try {
    const url = `ws://127.0.0.1:${port}/ws/buyer`;
    process.stdout.write(`bench:hellos — ${HELLOS} anonymous hellos, ANON_SESSION_TTL_MS=${TTL_MS}\n\n`);
    for (let i = 0; i < 50; i++) await hello(url); // warm-up: code paths compiled, pools filled
    await new Promise((r) => setTimeout(r, TTL_MS * 2));
    const base = { rss: rssOf(pid), ...(await sample()) };
    const started = performance.now();
    for (let i = 0; i < HELLOS; i += 50) await Promise.all(Array.from({ length: Math.min(50, HELLOS - i) }, () => hello(url)));
    const seconds = (performance.now() - started) / 1000;
    const peak = { rss: rssOf(pid), ...(await sample()) };
    // Wait for the sweeper to remove every flood session (plus the warm-up ones).
    for (let s = await sample(); s.removed < HELLOS + 50; s = await sample()) await new Promise((r) => setTimeout(r, 1000));
    await new Promise((r) => setTimeout(r, 3000));
    const after = { rss: rssOf(pid), ...(await sample()) };
    process.stdout.write(`${''.padEnd(22)}  RSS MB  heap MB\n`);
    process.stdout.write(`${'before'.padEnd(22)}${mb(base.rss)}${mb(base.heap)}\n`);
    process.stdout.write(`${`after ${HELLOS} hellos`.padEnd(22)}${mb(peak.rss)}${mb(peak.heap)}   (${seconds.toFixed(0)} s)\n`);
    process.stdout.write(`${'after their expiry'.padEnd(22)}${mb(after.rss)}${mb(after.heap)}\n\n`);
    process.stdout.write(
      `  RSS +${((after.rss - base.rss) / 1e6).toFixed(0)} MB, live heap +${((after.heap - base.heap) / 1e6).toFixed(0)} MB after expiry\n`,
    );
  } finally {
    proc.removeAllListeners('exit');
    proc.kill('SIGKILL');
  }
}

if (process.argv[2] === '--serve') {
  serve().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
