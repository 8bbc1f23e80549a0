/**
 * The WebSocket side of the HTTP server: one `ws` server in noServer mode for every socket
 * path. It applies what all sockets share (max frame size, a cap on sockets per address,
 * ping/pong heartbeat, closing with 1001 at shutdown) and hands each socket to the handler
 * its path registered on the router.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ERRORS } from '../errors';
import type { Limits, TrustProxy } from '../config';
import { clientAddressResolver } from './client-address';
import type { Logger } from './logger';
import type { Router } from './router';
import { encodeFrame } from './protocol';
import { guardOutbound } from './outbound';

/** Client address as TRUST_PROXY says to read it (src/transport/client-address.ts). */
export { clientAddress as clientIp } from './client-address';

export interface SocketServerOptions {
  limits: Limits;
  trustProxy: TrustProxy;
  logger: Logger;
  /** Extra page origins allowed to open sockets besides this server's own (ALLOWED_ORIGINS). */
  allowedOrigins?: readonly string[];
}

/**
 * May a page from `origin` open a socket here? Clients that send no Origin (not a browser)
 * may; a browser page may when it was served by this server (same host as the request) or
 * its origin is in ALLOWED_ORIGINS (a shop's pages embedding the widget).
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** One warning per address and kind of refusal in this long. */
const LOG_SAMPLE_MS = 10_000;

interface Tracked {
  alive: boolean;
  ip: string;
}

export class SocketServer {
  readonly wss: WebSocketServer;
  private readonly perIp = new Map<string, number>();
  private readonly tracked = new Map<WebSocket, Tracked>();
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly clientIp: (req: IncomingMessage) => string;
  private readonly lastWarned = new Map<string, number>();

  constructor(
    private readonly router: Router,
    private readonly options: SocketServerOptions,
  ) {
    this.clientIp = clientAddressResolver(options.trustProxy);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.limits.maxFrameBytes, clientTracking: false });
  }

  /** Attaches to an HTTP server's upgrade event and starts the heartbeat. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.heartbeat = setInterval(() => this.beat(), this.options.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Open sockets right now. */
  get size(): number {
    return this.tracked.size;
  }

  /** Bytes queued and not yet sent, over every open socket (what slow readers cost us). */
  bufferedBytes(): number {
    let total = 0;
    for (const ws of this.tracked.keys()) total += ws.bufferedAmount;
    return total;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      socket.destroy();
      return;
    }
    const handler = this.router.socketHandler(url.pathname);
    if (!handler) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.on('error', () => socket.destroy());
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const ip = this.clientIp(req);
      if (!originAllowed(req.headers.origin, req.headers.host, this.options.allowedOrigins ?? [])) {
        this.warnSampled(ip, 'ORIGIN_NOT_ALLOWED', () =>
          this.options.logger.warn(
            { ip, origin: req.headers.origin, path: url.pathname },
            'socket from a page origin not in ALLOWED_ORIGINS refused',
          ),
        );
        ws.send(encodeFrame({ type: 'error', code: 'ORIGIN_NOT_ALLOWED', message: ERRORS.ORIGIN_NOT_ALLOWED.message }));
        ws.close(ERRORS.ORIGIN_NOT_ALLOWED.close, 'ORIGIN_NOT_ALLOWED');
        return;
      }
      const count = (this.perIp.get(ip) ?? 0) + 1;
      if (count > this.options.limits.maxConnectionsPerIp) {
        // Upgrade first so a browser can read why: it cannot see an HTTP status on a failed upgrade.
        this.warnSampled(ip, 'TOO_MANY_CONNECTIONS', () => this.options.logger.warn({ ip, count }, 'too many sockets from one address'));
        ws.send(encodeFrame({ type: 'error', code: 'TOO_MANY_CONNECTIONS', message: ERRORS.TOO_MANY_CONNECTIONS.message }));
        ws.close(ERRORS.TOO_MANY_CONNECTIONS.close, 'TOO_MANY_CONNECTIONS');
        return;
      }
      this.perIp.set(ip, count);
      guardOutbound(ws, this.options.limits.abuse.maxSocketBufferBytes, (bufferedBytes) =>
        this.options.logger.warn({ ip, path: url.pathname, bufferedBytes, code: 'SLOW_CONSUMER' }, 'socket is not reading its frames; dropping it'),
      );
      const entry: Tracked = { alive: true, ip };
      this.tracked.set(ws, entry);
      ws.on('pong', () => (entry.alive = true));
      ws.on('close', () => this.release(ws));
      ws.on('error', (err) => {
        // Oversized frames end up here; ws has already closed with 1009.
        this.options.logger.debug({ err, ip }, 'socket error');
      });
      try {
        handler(ws, req, { url, ip });
      } catch (err) {
        this.options.logger.error({ err, path: url.pathname }, 'socket handler failed');
        ws.close(ERRORS.INTERNAL.close, 'INTERNAL');
      }
    });
  }

  /**
   * Log sampling: a refusal that repeats for one address (a flood of connection attempts) is
   * logged once per LOG_SAMPLE_MS, not once per attempt.
   */
  private warnSampled(ip: string, code: string, log: () => void): void {
    const key = `${code} ${ip}`;
    const now = Date.now();
    const last = this.lastWarned.get(key);
    if (last !== undefined && now - last < LOG_SAMPLE_MS) return;
    if (this.lastWarned.size > 10_000) this.lastWarned.clear();
    this.lastWarned.set(key, now);
    log();
  }

  private release(ws: WebSocket): void {
    const entry = this.tracked.get(ws);
    if (!entry) return;
    this.tracked.delete(ws);
    const left = (this.perIp.get(entry.ip) ?? 1) - 1;
    if (left <= 0) this.perIp.delete(entry.ip);
    else this.perIp.set(entry.ip, left);
  }

  /** Drops sockets that did not answer the previous ping, pings the rest. */
  private beat(): void {
    for (const [ws, entry] of this.tracked) {
      if (!entry.alive) {
        this.options.logger.debug({ ip: entry.ip }, 'dropping socket that missed a heartbeat');
        ws.terminate();
        this.release(ws);
        continue;
      }
      entry.alive = false;
      try {
        ws.ping();
      } catch {
        // Closing already; 'close' will release it.
      }
    }
  }

  /**
   * Closes every socket with 1001 (going away) and resolves when they are closed or after
   * `timeoutMs`, terminating stragglers.
   */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const sockets = [...this.tracked.keys()];
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            const timer = setTimeout(() => {
              ws.terminate();
              resolve();
            }, timeoutMs);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            ws.close(ERRORS.SHUTTING_DOWN.close, 'SHUTTING_DOWN');
          }),
      ),
    );
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
