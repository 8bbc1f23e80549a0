/**
 * The timer sweep: every stored handoff timer that falls due is taken once (across
 * instances the store hands each to one caller) and given to its owner: presence timers
 * (away grace, console gone) to ./presence, SLA clocks to ./sla-clocks. The periodic sweeper
 * also expires presence leases and now and then routes again, in case a handoff event was
 * missed (an instance restarted).
 */
import type { Timer } from '../store/types';
import type { HandoffCore } from './core';
import type { Presence } from './presence';
import type { AgentPublisher } from './publish';
import type { Routing } from './routing';
import type { SlaClocks } from './sla-clocks';

/** Timers taken per sweep. */
const SWEEP_BATCH = 200;
/** The periodic sweeper routes again every this many ticks. */
const DISPATCH_EVERY_TICKS = 10;

export class TimerSweeper {
  private sweeping = false;

  constructor(
    private readonly core: HandoffCore,
    private readonly presence: Presence,
    private readonly clocks: SlaClocks,
    private readonly routing: Routing,
    private readonly publisher: AgentPublisher,
  ) {}

  /** Fires every due timer once. Returns the number of timers handled. */
  async sweep(now = this.core.nowMs()): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const due = await this.core.store.takeDueTimers(now, SWEEP_BATCH);
      const queued = new Set<string>();
      for (const t of due) {
        await this.fire(t, now, queued).catch((err: unknown) => this.core.fail(err, `timer ${t.key}`));
      }
      // A clock that moved changes the row of a waiting conversation: consoles get that row.
      for (const id of queued) await this.publisher.queueChanged(id);
      return due.length;
    } finally {
      this.sweeping = false;
    }
  }

  private async fire(t: Timer, now: number, queued: Set<string>): Promise<void> {
    if (await this.presence.fire(t, now)) return;
    const conv = await this.clocks.fire(t, now);
    if (conv === 'not_mine') {
      // Not ours: put it back untouched so its owner still gets it.
      await this.core.store.setTimer(t);
      return;
    }
    if (conv?.status === 'queued') queued.add(conv.id);
  }

  /** Runs the sweeper every `intervalMs`; returns the stop function. */
  startSweeper(intervalMs = 1000): () => void {
    let ticks = 0;
    const timer = setInterval(() => {
      const { core } = this;
      core.track(this.sweep()).catch((err: unknown) => core.fail(err, 'sla sweep'));
      core.track(this.presence.expireLeases()).catch((err: unknown) => core.fail(err, 'presence lease expiry'));
      if (++ticks % DISPATCH_EVERY_TICKS === 0) core.track(this.routing.dispatch()).catch((err: unknown) => core.fail(err, 'dispatch'));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
