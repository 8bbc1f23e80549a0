/**
 * Test harness for the server edge: builds the app on port 0 with a real memory store and
 * real `ws` clients that collect frames. The engine is whatever the test passes (e2e tests
 * pass the real one).
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { createApp, type App, type Concern } from '../../src/app';
import type { WaitingRoom } from '../../src/handoff/waiting';
import { loadConfig, type Config } from '../../src/config';
import { createMemoryStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import type { ShopData } from '../../src/shop/types';
import { createLogger, type Logger } from '../../src/transport/logger';
import type { ChatEngine } from '../../src/conversation/conversation-service';

export interface Running {
  app: App;
  store: Store;
  config: Config;
  url: string;
  wsUrl: string;
  logs: Record<string, unknown>[];
  logger: Logger;
  stop(): Promise<void>;
}

export interface StartOptions {
  engine: ChatEngine;
  shop: ShopData;
  env?: Record<string, string>;
  store?: Store;
  concerns?: Concern[];
  clock?: () => Date;
  waiting?: WaitingRoom;
}

/** A logger destination that keeps each JSON log line, parsed, in `logs`. */
export function logSink(): { logs: Record<string, unknown>[]; destination: Writable } {
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { logs, destination };
}

export async function startServer(options: StartOptions): Promise<Running> {
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'info',
    AGENT_TOKENS: 'xiaomei:agent-tok-1',
    MANAGER_TOKENS: 'boss:manager-tok-1',
    ...options.env,
  });
  const { logs, destination } = logSink();
  const logger = createLogger({ level: config.logLevel, destination });
  const store = options.store ?? createMemoryStore({});
  const app = createApp({
    config,
    store,
    engine: options.engine,
    shop: options.shop,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.concerns ? { concerns: options.concerns } : {}),
    ...(options.waiting ? { waiting: options.waiting } : {}),
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    store,
    config,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws/buyer`,
    logs,
    logger,
    async stop() {
      await app.close();
      if (!options.store) await store.close();
    },
  };
}

export type Frame = Record<string, unknown> & { type: string };

/** A real ws client that records every frame and lets a test wait for the next matching one. */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  private cursor = 0;
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | null = null;

  constructor(url: string, options?: WebSocket.ClientOptions) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data, isBinary) => {
      if (!isBinary) this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    this.ws.on('error', () => this.wake());
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static async open(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const c = new TestClient(url, options);
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('error', reject);
    });
    return c;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits for the next frame (after the last one returned) matching `pred`. */
  async next(pred: (f: Frame) => boolean = () => true, what = 'frame'): Promise<Frame> {
    for (;;) {
      while (this.cursor < this.frames.length) {
        const f = this.frames[this.cursor++] as Frame;
        if (pred(f)) return f;
      }
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting for ${what}; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  nextType(type: string): Promise<Frame> {
    return this.next((f) => f.type === type, type);
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
    return this.closed;
  }

  /** Sends hello and returns the welcome. */
  async hello(fields: Record<string, unknown> = {}): Promise<Frame> {
    this.send({ type: 'hello', ...fields });
    return this.nextType('welcome');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.ws.close();
    await this.waitClosed();
  }
}
