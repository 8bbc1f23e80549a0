/**
 * The reference shop API (`src/shop-api/main.ts`) in its own process, for end-to-end tests of
 * the HTTP shop adapter: started on a free port (or a given one, to come back after a kill
 * on the same address), its "listening" log line awaited, killed for real.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './instances';

export interface ShopApiProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly logs: Record<string, unknown>[];
  /** SIGKILL (nothing flushed), resolves once exited. */
  kill(): Promise<void>;
}

const running = new Set<ShopApiProcess>();

/** A temp copy of demo/shop with `edit` applied to orders.yaml (so answers can only come from this copy). */
export function shopCopy(edit: (ordersYaml: string) => string = (s) => s): string {
  const dir = join(tempDir('shop'), 'shop');
  cpSync(join(ROOT, 'demo/shop'), dir, { recursive: true });
  const orders = join(dir, 'orders.yaml');
  writeFileSync(orders, edit(readFileSync(orders, 'utf8')));
  return dir;
}

/** Starts `npm run shop-api`'s entry point; resolves once it listens. */
export async function startShopApi(shopDir: string, port = 0, env: Record<string, string> = {}): Promise<ShopApiProcess> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', 'src/shop-api/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', PORT: String(port), HOST: '127.0.0.1', SHOP_DIR: shopDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const bound = await new Promise<number>((resolve, reject) => {
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry['msg'] === 'listening') resolve(Number(entry['port']));
      }
    });
    void exited.then(() => reject(new Error(`shop API exited before listening: ${stderr}`)));
  });
  const api: ShopApiProcess = {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    child,
    logs,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      running.delete(api);
    },
  };
  running.add(api);
  return api;
}

/** Kills whatever shop API a failed test left running (afterAll). */
export async function stopAllShopApis(): Promise<void> {
  await Promise.all([...running].map((a) => a.kill()));
}
