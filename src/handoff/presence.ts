/**
 * Agent presence: online, away, offline, and what each means for the agent's chats.
 *  - Going offline hands every chat to a colleague with room, or back to the queue.
 *  - Going away keeps the chats for a grace period (AWAY_GRACE_MS, a stored timer any
 *    instance completes); away agents get no new chats and cannot pick meanwhile.
 *  - A console that closes starts a "gone" timer: no console back in time means offline.
 *
 * Presence across instances: the instance holding an agent's console socket renews the
 * agent's presence lease in the store (`startLeaseRenewal`). An instance that dies without
 * closing its sockets (SIGKILL, OOM) stops renewing; once the lease has expired routing
 * treats the agent as offline, and the first sweeper to take the expired lease (the store
 * gives it to exactly one) marks the agent offline and hands their chats over, as going
 * offline does. A console that connects again, anywhere, takes a new lease.
 */
import type { PresenceStatus, Timer } from '../store/types';
import type { HandoffCore } from './core';
import type { AgentPublisher } from './publish';
import { awayTimerKey, goneTimerKey } from './roster';
import type { Routing } from './routing';

export const DEFAULT_PRESENCE_LEASE_MS = 30_000;
export const DEFAULT_PRESENCE_RENEW_MS = 10_000;

export interface PresenceDeps {
  /**
   * How long an agent who goes away keeps their chats before they move (default 0: at once).
   * Away agents get no new chats and cannot pick from the queue meanwhile.
   */
  awayGraceMs?: number;
  /**
   * How long an agent's presence lease lasts without renewal (default 30 s): after an
   * instance dies, its agents count as offline this long after its last renewal at most.
   */
  presenceLeaseMs?: number;
}

export class Presence {
  private readonly leaseMs: number;
  private readonly awayGraceMs: number;
  private expiring = false;

  constructor(
    private readonly core: HandoffCore,
    private readonly routing: Routing,
    private readonly publisher: AgentPublisher,
    deps: PresenceDeps,
  ) {
    this.leaseMs = deps.presenceLeaseMs ?? DEFAULT_PRESENCE_LEASE_MS;
    this.awayGraceMs = deps.awayGraceMs ?? 0;
  }

  /**
   * Sets an agent's presence. Going away or offline hands each open conversation to another
   * online agent with room, or back to the queue; coming online takes work from the queue.
   */
  async setPresence(agentId: string, status: PresenceStatus): Promise<void> {
    this.core.requireAgent(agentId);
    const { store } = this.core;
    const before = await store.getPresence(agentId);
    if (before?.status !== status) await store.setPresence({ agentId, status, since: this.core.nowIso() });
    if (status === 'away' && this.awayGraceMs > 0) {
      // A short break keeps the agent's chats; they move only if the break outlasts the grace.
      if (before?.status !== 'away')
        await store.setTimer({ key: awayTimerKey(agentId), dueAt: this.core.nowMs() + this.awayGraceMs, payload: { agentId } });
    } else {
      await store.clearTimer(awayTimerKey(agentId));
      if (status !== 'online') await this.routing.handOver(agentId);
    }
    await this.routing.dispatch();
    await this.publisher.publishAgents();
  }

  /**
   * A due presence timer (away grace over, console gone): does what it means and returns
   * true, or false when the timer is not a presence timer.
   */
  async fire(t: Timer, now: number): Promise<boolean> {
    const away = /^presence:away:(.+)$/.exec(t.key);
    if (away?.[1] && this.core.agents.get(away[1])) {
      await this.awayGraceOver(away[1]);
      return true;
    }
    const gone = /^presence:gone:(.+)$/.exec(t.key);
    if (gone?.[1] && this.core.agents.get(gone[1])) {
      // A console on another instance still renews the lease: the agent is still here.
      const lease = (await this.core.store.listPresenceLeases()).find((l) => l.agentId === gone[1]);
      if (lease && lease.expiresAt > now) return true;
      await this.setPresence(gone[1], 'offline');
      return true;
    }
    return false;
  }

  /** The away grace ran out: chats move if the agent is still away. */
  private async awayGraceOver(agentId: string): Promise<void> {
    if ((await this.core.store.getPresence(agentId))?.status !== 'away') return;
    await this.routing.handOver(agentId);
    await this.routing.dispatch();
    await this.publisher.publishAgents();
  }

  /**
   * A console connected: cancel a pending "gone" timer, and an agent who was offline comes
   * online (opening the console is how an agent starts work; away stays away).
   */
  async agentConnected(agentId: string): Promise<void> {
    const { store } = this.core;
    // The lease first: a sweeper that took an expired lease before this renewal has marked
    // the agent offline already, so the read below sees that and brings them back online.
    await store.renewPresenceLease(agentId, this.core.nowMs() + this.leaseMs);
    await store.clearTimer(goneTimerKey(agentId));
    const p = await store.getPresence(agentId);
    if (!p || p.status === 'offline') await this.setPresence(agentId, 'online');
  }

  /**
   * The agent's last console on this instance closed. After `graceMs` without a new
   * connection the agent counts as offline and their chats are handed over (a stored timer,
   * so any instance completes it even if this one dies). The lease is kept for the grace
   * period too, unless a console on another instance keeps renewing it.
   */
  async agentDisconnected(agentId: string, graceMs: number): Promise<void> {
    const dueAt = this.core.nowMs() + graceMs;
    await this.core.store.renewPresenceLease(agentId, dueAt);
    await this.core.store.setTimer({ key: goneTimerKey(agentId), dueAt, payload: { agentId } });
  }

  /**
   * Renews the presence lease of every agent with a console on this instance. An agent
   * whose lease was taken meanwhile (this instance stalled past the lease, or its Redis
   * connection did) is brought back as on a reconnect.
   */
  async renewLeases(agentIds: Iterable<string>): Promise<void> {
    const expiresAt = this.core.nowMs() + this.leaseMs;
    for (const agentId of new Set(agentIds)) {
      if (!this.core.agents.get(agentId)) continue;
      const kept = await this.core.store.renewPresenceLease(agentId, expiresAt);
      if (!kept) await this.agentConnected(agentId);
    }
  }

  /**
   * Renews the leases of `localAgents()` (the agents with a console socket on this instance)
   * every `intervalMs`; returns the stop function. The interval must be well below the
   * lease (config checks it is at most half).
   */
  startLeaseRenewal(localAgents: () => Iterable<string>, intervalMs = DEFAULT_PRESENCE_RENEW_MS): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return; // a slow store: never pile renewals up
      running = true;
      this.renewLeases(localAgents())
        .catch((err: unknown) => this.core.fail(err, 'presence lease renewal'))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Takes the presence leases that expired by `now` (the store gives each to one instance
   * only) and does what going offline does: the agent's open chats go to an online colleague
   * with room or back to the queue. Returns the agents taken.
   */
  async expireLeases(now = this.core.nowMs()): Promise<string[]> {
    if (this.expiring) return [];
    this.expiring = true;
    try {
      const { store } = this.core;
      const taken = await store.takeExpiredLeases(now);
      for (const { agentId } of taken) {
        if (!this.core.agents.get(agentId)) continue;
        // Reconnected since the lease was taken: their chats stay with them.
        if ((await store.getPresence(agentId))?.status === 'online') continue;
        await this.routing.handOver(agentId).catch((err: unknown) => this.core.fail(err, `hand over from ${agentId}`));
      }
      if (taken.length > 0) {
        await this.routing.dispatch();
        await this.publisher.publishAgents();
      }
      return taken.map((l) => l.agentId);
    } finally {
      this.expiring = false;
    }
  }
}
