/**
 * Who can take work right now: agents online with a live presence lease and a free slot,
 * ranked for routing. An agent whose lease expired (their instance died) counts as offline
 * whatever their stored status says, until a sweeper takes the lease (see ./presence).
 * Reads only; routing and presence decide what to do with the answer.
 */
import type { PresenceLease } from '../store/types';
import type { AgentDef } from './agents';
import type { HandoffCore } from './core';

export interface RankedAgent {
  agent: AgentDef;
  load: number;
}

export class AgentRoster {
  constructor(private readonly core: HandoffCore) {}

  /** Agents whose lease has expired (not yet taken by a sweeper): offline whatever their status says. */
  async lapsedAgents(now = this.core.nowMs()): Promise<Set<string>> {
    return lapsed(await this.core.store.listPresenceLeases(), now);
  }

  /** Online agents with room, least loaded first (ties: longest online, then id). */
  async rankAgents(exclude?: string): Promise<RankedAgent[]> {
    const { store, agents } = this.core;
    const [presence, lapsedIds] = await Promise.all([store.listPresence(), this.lapsedAgents()]);
    const out: (RankedAgent & { since: string })[] = [];
    for (const p of presence) {
      if (p.status !== 'online' || p.agentId === exclude || lapsedIds.has(p.agentId)) continue;
      const agent = agents.get(p.agentId);
      if (!agent) continue;
      const load = (await store.listAssignments(agent.id)).length;
      if (load < agent.maxChats) out.push({ agent, load, since: p.since });
    }
    out.sort((a, b) => a.load - b.load || (a.since < b.since ? -1 : a.since > b.since ? 1 : 0) || (a.agent.id < b.agent.id ? -1 : 1));
    return out.map(({ agent, load }) => ({ agent, load }));
  }

  /** The agent routing would give the next chat to, if any. */
  async pickAgent(exclude?: string): Promise<AgentDef | undefined> {
    return (await this.rankAgents(exclude))[0]?.agent;
  }

  /** True when the agent is online with a live lease (busy or not). */
  async isOnline(agentId: string): Promise<boolean> {
    const [presence, lapsedIds] = await Promise.all([this.core.store.getPresence(agentId), this.lapsedAgents()]);
    return presence?.status === 'online' && !lapsedIds.has(agentId);
  }

  /** True when some agent is online with a live lease (busy or not): the queue is being worked. */
  async anyAgentOnline(): Promise<boolean> {
    const [presence, lapsedIds] = await Promise.all([this.core.store.listPresence(), this.lapsedAgents()]);
    return presence.some((p) => p.status === 'online' && !lapsedIds.has(p.agentId) && this.core.agents.get(p.agentId) !== undefined);
  }
}

/** Agent ids whose lease expired at or before `now`. */
function lapsed(leases: readonly PresenceLease[], now: number): Set<string> {
  return new Set(leases.filter((l) => l.expiresAt <= now).map((l) => l.agentId));
}

/** The stored timer that moves an away agent's chats when the grace period ends. */
export function awayTimerKey(agentId: string): string {
  return `presence:away:${agentId}`;
}

/** The stored timer that takes an agent offline when no console came back after a disconnect. */
export function goneTimerKey(agentId: string): string {
  return `presence:gone:${agentId}`;
}
