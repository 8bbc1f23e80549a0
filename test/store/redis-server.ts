/**
 * Starts throwaway redis-server processes for the cluster and fault tests: free ports, a temp
 * directory, stop and restart on the same port and directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { Redis } from 'ioredis';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port whose +10000 neighbour (the cluster bus port) is free too. Ports are probed, not
 * reserved, so two runs could in theory race for one; the range makes that unlikely.
 */
export async function freeRedisPort(exclude: number[] = []): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 25000);
    if (exclude.includes(port)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10000))) return port;
  }
}

export interface RedisProcess {
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Spawns `redis-server --port P --dir D <extra>` and waits until it answers PING. */
export async function startRedisServer(port: number, dir: string, extra: string[]): Promise<RedisProcess> {
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', ...extra], {
      stdio: 'ignore',
    });
    await waitForPing(port);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM'); // redis shuts down cleanly on SIGTERM (flushes the AOF)
    await exited;
    child = null;
  };
  await start();
  return { port, stop, start };
}

async function waitForPing(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (r.stdout.trim() === 'PONG') return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`redis-server on port ${port} did not start`);
}

/** Creates a cluster of the given masters (no replicas) and waits for cluster_state:ok everywhere. */
export async function createCluster(ports: number[]): Promise<void> {
  const r = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${r.stdout}${r.stderr}`);
  for (const port of ports) {
    const client = new Redis(port, '127.0.0.1');
    try {
      for (let i = 0; ; i++) {
        const info = await client.cluster('INFO');
        if (info.includes('cluster_state:ok')) break;
        if (i > 200) throw new Error(`cluster node ${port} never reached cluster_state:ok`);
        await new Promise((res) => setTimeout(res, 50));
      }
    } finally {
      await client.quit();
    }
  }
}
