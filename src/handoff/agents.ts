/**
 * The agent registry: who may open the console and how many chats each may hold at once.
 * Accounts come from config (src/config.ts parses `AGENT_TOKENS="name:token[:maxChats],…"`,
 * or makes demo agents with per-process random tokens whose console links `npm start` prints).
 */
import { timingSafeEqual } from 'node:crypto';

/** One configured agent. The name doubles as the agent id everywhere (store, frames, metrics). */
export interface AgentDef {
  id: string;
  token: string;
  /** Maximum conversations held at once; routing never assigns beyond it. */
  maxChats: number;
  /** Display name in the console (the id unless configured otherwise). */
  displayName?: string;
  skills?: string[];
}

/** Friendly names for the demo agents config creates when AGENT_TOKENS is unset. */
const DEMO_DISPLAY_NAMES: Record<string, string> = { xiaomei: '小美', ajie: '阿杰' };

/** The name a buyer and colleagues see. */
export function displayNameOf(agent: Pick<AgentDef, 'id' | 'displayName'>): string {
  return agent.displayName ?? DEMO_DISPLAY_NAMES[agent.id] ?? agent.id;
}

/** Looks agents up by token (constant-time compare) or by id. */
export interface AgentRegistry {
  list(): readonly AgentDef[];
  get(agentId: string): AgentDef | undefined;
  /** The agent owning this token, or undefined. Never matches buyer ids or empty strings. */
  authenticate(token: string | undefined | null): AgentDef | undefined;
}

/** Builds a registry; an empty list is allowed (the console then refuses everyone). */
export function createAgentRegistry(agents: readonly AgentDef[]): AgentRegistry {
  const byId = new Map(agents.map((a) => [a.id, a]));
  const tokens = agents.map((a) => ({ agent: a, buf: Buffer.from(a.token, 'utf8') }));
  return {
    list: () => agents,
    get: (agentId) => byId.get(agentId),
    authenticate(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 256) return undefined;
      const given = Buffer.from(token, 'utf8');
      let found: AgentDef | undefined;
      // Compare against every token so timing does not reveal which prefix matched.
      for (const { agent, buf } of tokens) {
        if (buf.length === given.length && timingSafeEqual(buf, given)) found = agent;
      }
      return found;
    },
  };
}
