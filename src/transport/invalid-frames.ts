/**
 * The invalid-frame limit of a socket: error replies to bad frames are rate-limited (a client
 * that floods and never reads cannot make us queue replies), and a socket that sends more
 * than `invalidFrameLimit` invalid frames in one window without a valid one between is to be
 * closed with INVALID_FLOOD. One instance per socket.
 */
import { WindowCounter } from './outbound';

export interface InvalidFrameLimits {
  /** Length of the counting window (RATE_LIMIT_WINDOW_MS). */
  windowMs: number;
  /** Invalid frames per window (with nothing valid) before the socket is closed (INVALID_FRAME_LIMIT). */
  invalidFrameLimit: number;
  /** Error replies per window; past it errors are dropped silently (ERROR_REPLIES_PER_WINDOW). */
  errorRepliesPerWindow: number;
}

export class InvalidFrameGuard {
  private readonly invalid: WindowCounter;
  private readonly replies: WindowCounter;

  constructor(
    private readonly limits: InvalidFrameLimits,
    now: () => number = Date.now,
  ) {
    this.invalid = new WindowCounter(limits.windowMs, now);
    this.replies = new WindowCounter(limits.windowMs, now);
  }

  /** Counts one invalid frame: 'close' once the socket is over its limit, else 'reply'. */
  onInvalid(): 'reply' | 'close' {
    return this.invalid.hit() > this.limits.invalidFrameLimit ? 'close' : 'reply';
  }

  /** A valid frame: the socket is not one that only sends garbage. */
  onValid(): void {
    this.invalid.reset();
  }

  /** Whether one more error reply may be sent in this window. */
  mayReply(): boolean {
    return this.replies.hit() <= this.limits.errorRepliesPerWindow;
  }
}
