/**
 * Backpressure on buyer sockets: while too many bot turns are in flight, the buyer sockets
 * that send more stop being read until the backlog is down to half, so the backlog waits in
 * the kernel's socket buffers rather than in the heap.
 *
 * Why: past what one process can answer, every message read adds a turn in flight, with its
 * message, promises and state alive until it is answered. Each young-generation collection
 * then has more live objects to copy, so collections cost more per message and the process
 * answers fewer messages than it could, which lengthens the backlog further (measured with
 * bench:ws at 2,600 buyers: 750–1,550 answers a second where 2,000 were possible). Bounding
 * the turns in flight keeps a collection's cost, and so the answering rate, where it is.
 *
 * Nothing is lost or refused: a paused socket's frames are read once it resumes, in order,
 * and its acks and replies keep going out. Only buyer sockets are paused, never agents'.
 */

/** What the gate pauses: a `ws` WebSocket has both. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

export interface BackpressureOptions {
  /** How many bot turns are in flight now (the conversation service's count). */
  inFlight: () => number;
  /** At this many turns in flight a socket that sends is paused (default 400). */
  high?: number;
  /** Paused sockets resume at this many or fewer (default high / 2). */
  low?: number;
  /** How often the count is checked while sockets are paused (ms, default 5). */
  checkEveryMs?: number;
  /** Told when pausing starts and ends (for logs and metrics). */
  onChange?: (paused: boolean, inFlight: number) => void;
}

export class TurnBackpressure {
  private readonly high: number;
  private readonly low: number;
  private readonly paused = new Set<Pausable>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: BackpressureOptions) {
    this.high = Math.max(1, options.high ?? 400);
    this.low = Math.min(this.high - 1, options.low ?? Math.floor(this.high / 2));
  }

  /** Sockets paused now. */
  get pausedCount(): number {
    return this.paused.size;
  }

  /** After a socket handed a message in: pauses it while the server is behind. */
  admitted(socket: Pausable): void {
    if (this.paused.has(socket) || this.options.inFlight() < this.high) return;
    socket.pause();
    this.paused.add(socket);
    if (this.timer) return;
    this.options.onChange?.(true, this.options.inFlight());
    this.timer = setInterval(() => this.check(), this.options.checkEveryMs ?? 5);
    this.timer.unref();
  }

  /** A socket that closed is forgotten (nothing to resume). */
  forget(socket: Pausable): void {
    this.paused.delete(socket);
  }

  /** Resumes everything (shutdown). */
  release(): void {
    for (const socket of this.paused) socket.resume();
    this.paused.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private check(): void {
    const inFlight = this.options.inFlight();
    if (inFlight > this.low) return;
    this.release();
    this.options.onChange?.(false, inFlight);
  }
}
