/**
 * Bounded outbound memory per socket. A client that stops reading (a paused tab, a script
 * that floods and never reads) makes every frame we send pile up in the socket's buffer;
 * without a bound that is the server's memory. `guardOutbound` checks `bufferedAmount`
 * before each send: past the limit the frame is not queued, the socket is closed with
 * SLOW_CONSUMER and terminated shortly after (it is not reading the close frame either).
 */
import type { WebSocket } from 'ws';
import { ERRORS } from '../errors';

/** How long a dropped slow socket gets to take its close frame before it is destroyed. */
const TERMINATE_AFTER_MS = 1000;

function byteLength(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (Buffer.isBuffer(data) || ArrayBuffer.isView(data)) return data.byteLength;
  if (data instanceof ArrayBuffer) return data.byteLength;
  return 0;
}

/**
 * Makes `ws.send` refuse to queue past `maxBytes` unsent bytes. The first refusal calls
 * `onOverflow` with the bytes buffered at that moment and drops the socket; later sends are
 * ignored. Every sender (buyer socket, agent socket, socket server) goes through it.
 */
export function guardOutbound(ws: WebSocket, maxBytes: number, onOverflow: (bufferedBytes: number) => void): void {
  const send = ws.send.bind(ws) as (data: unknown, ...rest: unknown[]) => void;
  let tripped = false;
  const bounded = (data: unknown, ...rest: unknown[]): void => {
    if (tripped) return;
    if (ws.bufferedAmount + byteLength(data) > maxBytes) {
      tripped = true;
      onOverflow(ws.bufferedAmount);
      if (ws.readyState === ws.OPEN) ws.close(ERRORS.SLOW_CONSUMER.close, 'SLOW_CONSUMER');
      setTimeout(() => ws.terminate(), TERMINATE_AFTER_MS).unref();
      return;
    }
    send(data, ...rest);
  };
  ws.send = bounded as WebSocket['send'];
}

/**
 * Fixed-window counter for one socket: how many of something happened in the current
 * window. Used to rate-limit error replies and to spot sockets that send only garbage.
 */
export class WindowCounter {
  private windowStart = 0;
  private n = 0;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one more and returns the count in the current window. */
  hit(): number {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      this.windowStart = t;
      this.n = 0;
    }
    this.n += 1;
    return this.n;
  }

  reset(): void {
    this.n = 0;
  }
}
