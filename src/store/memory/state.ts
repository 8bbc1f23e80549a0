/**
 * The memory store's state and the journal operations that change it. Every mutation of
 * durable state is expressed as one `JournalOp`; the store applies it to memory and, when it
 * has a data directory, appends the same op to the journal. Replaying the journal applies the
 * same ops again, so `applyOp` must be idempotent (a line written twice after a retried write
 * must not duplicate anything).
 */
import type { ConversationState } from '../../model/conversation';
import type { AuditEntry } from '../shared';
import type { AgentPresence, BuyerSession, QueueEntry, ScriptDraft, ScriptVersion, StoredMessage, Timer } from '../types';
import type { OutboxAct } from '../types';
import { applyConversationPatch, type ConversationPatch } from './conversation-patch';

export interface ConversationLog {
  /** messages[i].seq === i + 1 */
  messages: StoredMessage[];
  /** clientId → seq, for idempotent appends. */
  byClientId: Map<string, number>;
}

export interface MemoryState {
  conversations: Map<string, ConversationState>;
  sessions: Map<string, BuyerSession>;
  logs: Map<string, ConversationLog>;
  queue: Map<string, QueueEntry>;
  presence: Map<string, AgentPresence>;
  assignments: Map<string, Set<string>>;
  /** Agent id → presence lease expiry (epoch ms). */
  leases: Map<string, number>;
  timers: Map<string, Timer>;
  scripts: Map<number, ScriptVersion>;
  activeScript: number | null;
  /** The managers' unpublished script edits by path. */
  drafts: Map<string, ScriptDraft>;
  /** Oldest first. */
  audit: AuditEntry[];
  /** Acts for the shop by id, in the order added (src/shop/outbox.ts). */
  outbox: Map<string, OutboxAct>;
  /**
   * Indexes of the outbox, so its scans do not grow with every act ever delivered: the ids
   * still being delivered ('sent'), and each conversation's act ids (in the order added).
   */
  outboxSent: Set<string>;
  outboxByConv: Map<string, Set<string>>;
  /**
   * Revision of each conversation's state: bumped by every save. A turn op names the
   * revision it was computed from, so a line applied twice (a retried write, a compaction's
   * tail) patches the state once.
   */
  revs: Map<string, number>;
  /** Replay-guard keys (firstSeen) → until when they are remembered (epoch ms). */
  seen: Map<string, number>;
}

export function emptyState(): MemoryState {
  return {
    conversations: new Map(),
    sessions: new Map(),
    logs: new Map(),
    queue: new Map(),
    presence: new Map(),
    assignments: new Map(),
    leases: new Map(),
    timers: new Map(),
    scripts: new Map(),
    activeScript: null,
    drafts: new Map(),
    audit: [],
    outbox: new Map(),
    outboxSent: new Set(),
    outboxByConv: new Map(),
    revs: new Map(),
    seen: new Map(),
  };
}

export type JournalOp =
  /** The whole state; `r` its revision (absent in journals written before revisions: one more than before). */
  | { t: 'conv'; v: ConversationState; r?: number }
  /**
   * One bot turn in one line (src/store/memory/memory-store.ts commitTurn): the state as a
   * patch on revision `base` (or whole, `v`, for a conversation not stored before), the
   * messages the turn stored and the queue/assignment ops its status needs. One line, so a
   * crash keeps all of a turn or none of it.
   */
  | { t: 'turn'; id: string; base: number; v?: ConversationState; p?: ConversationPatch; msgs: StoredMessage[]; ops?: JournalOp[] }
  | { t: 'session'; v: BuyerSession }
  | { t: 'msg'; v: StoredMessage }
  | { t: 'enqueue'; v: QueueEntry }
  | { t: 'dequeue'; id: string }
  | { t: 'presence'; v: AgentPresence }
  | { t: 'assign'; agent: string; conv: string }
  | { t: 'unassign'; agent: string; conv: string }
  /** A presence lease renewed to `until` (never shortened, so a line applied twice is harmless). */
  | { t: 'lease'; agent: string; until: number }
  | { t: 'unlease'; agent: string }
  | { t: 'timer'; v: Timer }
  | { t: 'untimer'; key: string }
  | { t: 'script'; v: ScriptVersion }
  | { t: 'active'; version: number }
  | { t: 'draft'; path: string; v: ScriptDraft }
  /** path absent: every draft entry. */
  | { t: 'undraft'; path?: string }
  /** n is the entry's position, so a line written twice (retried write) is applied once. */
  | { t: 'audit'; n: number; v: AuditEntry }
  /** An outbox act added or updated (the whole entry: applying it twice is harmless). */
  | { t: 'act'; v: OutboxAct }
  /** An expired anonymous session and its conversation and log, removed (issue 15). */
  | { t: 'drop'; buyer: string; conv: string }
  /**
   * A closed conversation removed by retention: state, log, queue and assignment leftovers,
   * the buyer session `buyer` (when it pointed at it) and the outbox acts `acts`.
   */
  | { t: 'forget'; conv: string; buyer?: string; acts?: string[] }
  /** A replay-guard key, remembered until `until` (epoch ms). */
  | { t: 'seen'; key: string; until: number };

export function logOf(state: MemoryState, conversationId: string): ConversationLog {
  let log = state.logs.get(conversationId);
  if (!log) {
    log = { messages: [], byClientId: new Map() };
    state.logs.set(conversationId, log);
  }
  return log;
}

/**
 * Applies one op. Returns false when the op could not apply (a message whose seq would leave
 * a gap), which only happens when replaying a damaged journal.
 */
export function applyOp(state: MemoryState, op: JournalOp): boolean {
  switch (op.t) {
    case 'conv':
      state.conversations.set(op.v.id, op.v);
      state.revs.set(op.v.id, op.r ?? (state.revs.get(op.v.id) ?? 0) + 1);
      return true;
    case 'turn':
      return applyTurn(state, op);
    case 'session':
      state.sessions.set(op.v.buyerId, op.v);
      return true;
    case 'msg': {
      const log = logOf(state, op.v.conversationId);
      if (op.v.seq <= log.messages.length) return true; // already applied (duplicate line)
      if (op.v.seq !== log.messages.length + 1) return false;
      log.messages.push(op.v);
      if (op.v.clientId !== undefined) log.byClientId.set(op.v.clientId, op.v.seq);
      return true;
    }
    case 'enqueue':
      state.queue.set(op.v.conversationId, op.v);
      return true;
    case 'dequeue':
      state.queue.delete(op.id);
      return true;
    case 'presence':
      state.presence.set(op.v.agentId, op.v);
      return true;
    case 'assign': {
      let set = state.assignments.get(op.agent);
      if (!set) {
        set = new Set();
        state.assignments.set(op.agent, set);
      }
      set.add(op.conv);
      return true;
    }
    case 'unassign': {
      const set = state.assignments.get(op.agent);
      if (set) {
        set.delete(op.conv);
        if (set.size === 0) state.assignments.delete(op.agent);
      }
      return true;
    }
    case 'lease':
      state.leases.set(op.agent, Math.max(op.until, state.leases.get(op.agent) ?? -Infinity));
      return true;
    case 'unlease':
      state.leases.delete(op.agent);
      return true;
    case 'timer':
      state.timers.set(op.v.key, op.v);
      return true;
    case 'untimer':
      state.timers.delete(op.key);
      return true;
    case 'script':
      state.scripts.set(op.v.version, op.v);
      return true;
    case 'active':
      state.activeScript = op.version;
      return true;
    case 'draft':
      state.drafts.set(op.path, op.v);
      return true;
    case 'undraft':
      if (op.path === undefined) state.drafts.clear();
      else state.drafts.delete(op.path);
      return true;
    case 'audit':
      if (op.n < state.audit.length) return true; // already applied (duplicate line)
      if (op.n !== state.audit.length) return false;
      state.audit.push(op.v);
      return true;
    case 'act': {
      state.outbox.set(op.v.id, op.v);
      if (op.v.state === 'sent') state.outboxSent.add(op.v.id);
      else state.outboxSent.delete(op.v.id);
      const ids = state.outboxByConv.get(op.v.conversationId) ?? new Set<string>();
      state.outboxByConv.set(op.v.conversationId, ids.add(op.v.id));
      return true;
    }
    case 'seen':
      state.seen.set(op.key, Math.max(op.until, state.seen.get(op.key) ?? -Infinity));
      return true;
    case 'drop':
      state.sessions.delete(op.buyer);
      state.conversations.delete(op.conv);
      state.logs.delete(op.conv);
      state.revs.delete(op.conv);
      return true;
    case 'forget':
      if (op.buyer !== undefined && state.sessions.get(op.buyer)?.conversationId === op.conv) state.sessions.delete(op.buyer);
      state.conversations.delete(op.conv);
      state.logs.delete(op.conv);
      state.revs.delete(op.conv);
      state.queue.delete(op.conv);
      for (const [agent, convs] of state.assignments) {
        convs.delete(op.conv);
        if (convs.size === 0) state.assignments.delete(agent);
      }
      for (const id of op.acts ?? []) {
        const act = state.outbox.get(id);
        state.outbox.delete(id);
        state.outboxSent.delete(id);
        const ids = act && state.outboxByConv.get(act.conversationId);
        ids?.delete(id);
        if (act && ids?.size === 0) state.outboxByConv.delete(act.conversationId);
      }
      return true;
  }
}

/**
 * A turn op: the state unless this revision is already applied (a line seen twice), then its
 * messages and queue ops (idempotent on their own). A base beyond the stored revision means
 * lines before it were lost (damage): the patch still applies to the state as it is, so one
 * bad line does not stop the conversation's later turns. Returns false when the state could
 * not be built (a patch with no state under it) or a message left a gap.
 */
function applyTurn(state: MemoryState, op: Extract<JournalOp, { t: 'turn' }>): boolean {
  let ok = true;
  const rev = state.revs.get(op.id) ?? 0;
  if (op.base >= rev) {
    const prev = state.conversations.get(op.id);
    const next = op.v ?? (prev && op.p ? applyConversationPatch(prev, op.p) : undefined);
    if (next) {
      state.conversations.set(op.id, next);
      state.revs.set(op.id, op.base + 1);
    } else {
      ok = false;
    }
  }
  for (const m of op.msgs) ok = applyOp(state, { t: 'msg', v: m }) && ok;
  for (const follow of op.ops ?? []) applyOp(state, follow);
  return ok;
}

/** Text of the stand-in for a message lost to a damaged journal line (agents see it as an internal note). */
export const LOST_MESSAGE_TEXT = '〔这条消息的记录已损坏，内容丢失〕';

/**
 * Replay of one journal line. Like `applyOp`, except that a message whose seq leaves a gap
 * (the lines before it were damaged) is kept: each missing seq gets an internal stand-in
 * marked `meta.lost`, so later messages of the conversation survive one bad line. Returns
 * the seqs filled in, if any.
 */
export function replayOp(state: MemoryState, op: JournalOp): { applied: boolean; filled: number[] } {
  const first = op.t === 'msg' ? op.v : op.t === 'turn' ? op.msgs[0] : undefined;
  const filled = first ? fillLost(state, first) : [];
  return { applied: applyOp(state, op), filled };
}

/** Internal stand-ins for the seqs missing before `m` (their lines were damaged); returns the seqs filled. */
function fillLost(state: MemoryState, m: StoredMessage): number[] {
  const log = logOf(state, m.conversationId);
  const filled: number[] = [];
  while (m.seq > log.messages.length + 1) {
    const seq = log.messages.length + 1;
    log.messages.push({
      conversationId: m.conversationId,
      seq,
      from: 'system',
      text: LOST_MESSAGE_TEXT,
      at: m.at,
      meta: { internal: true, lost: true },
    });
    filled.push(seq);
  }
  return filled;
}

/** The ops that rebuild `state` from nothing: what a compacted journal contains. */
export function* snapshotOps(state: MemoryState): Generator<JournalOp> {
  for (const v of state.scripts.values()) yield { t: 'script', v };
  if (state.activeScript !== null) yield { t: 'active', version: state.activeScript };
  for (const [path, v] of state.drafts) yield { t: 'draft', path, v };
  for (const [n, v] of state.audit.entries()) yield { t: 'audit', n, v };
  for (const v of state.presence.values()) yield { t: 'presence', v };
  for (const v of state.conversations.values()) yield { t: 'conv', v, ...revOf(state, v.id) };
  for (const v of state.sessions.values()) yield { t: 'session', v };
  for (const log of state.logs.values()) for (const v of log.messages) yield { t: 'msg', v };
  for (const v of state.queue.values()) yield { t: 'enqueue', v };
  for (const [agent, convs] of state.assignments) for (const conv of convs) yield { t: 'assign', agent, conv };
  for (const [agent, until] of state.leases) yield { t: 'lease', agent, until };
  for (const v of state.timers.values()) yield { t: 'timer', v };
  for (const v of state.outbox.values()) yield { t: 'act', v };
  for (const [key, until] of state.seen) yield { t: 'seen', key, until };
}

function revOf(state: MemoryState, id: string): { r?: number } {
  const r = state.revs.get(id);
  return r === undefined ? {} : { r };
}

const OP_TYPES = new Set<string>([
  'conv',
  'turn',
  'session',
  'msg',
  'enqueue',
  'dequeue',
  'presence',
  'assign',
  'unassign',
  'lease',
  'unlease',
  'timer',
  'untimer',
  'script',
  'active',
  'draft',
  'undraft',
  'audit',
  'act',
  'drop',
  'forget',
  'seen',
]);

/**
 * Cheap shape check for a parsed journal line. The journal is written only by this module, so
 * a full schema check would buy little; this catches garbage that happens to parse as JSON.
 */
export function isJournalOp(value: unknown): value is JournalOp {
  if (typeof value !== 'object' || value === null) return false;
  const op = value as Record<string, unknown>;
  if (typeof op['t'] !== 'string' || !OP_TYPES.has(op['t'])) return false;
  if (op['t'] === 'turn' && !isTurnOp(op)) return false;
  // The fields each op reads when applied: a line with `"v": null` is damage, not a TypeError.
  return (REQUIRED[op['t']] ?? []).every(([path, type]) => {
    const parts = path.split('.');
    let at: unknown = op;
    for (const part of parts) {
      if (typeof at !== 'object' || at === null || !Object.hasOwn(at, part)) return false;
      at = (at as Record<string, unknown>)[part];
    }
    return type === 'object' ? typeof at === 'object' && at !== null : typeof at === type;
  });
}

/** The parts of a turn op beyond its required fields: state or patch, messages, nested ops. */
function isTurnOp(op: Record<string, unknown>): boolean {
  const { v, p, msgs, ops } = op;
  if (v !== undefined && (typeof v !== 'object' || v === null || typeof (v as Record<string, unknown>)['id'] !== 'string')) return false;
  if (p !== undefined && (typeof p !== 'object' || p === null)) return false;
  if (v === undefined && p === undefined) return false;
  if (!Array.isArray(msgs) || !msgs.every((m) => isJournalOp({ t: 'msg', v: m }))) return false;
  return ops === undefined || (Array.isArray(ops) && ops.every((o) => isJournalOp(o) && (o as { t: string }).t !== 'turn'));
}

type FieldType = 'string' | 'number' | 'object';
const REQUIRED: Readonly<Record<string, readonly (readonly [string, FieldType])[]>> = {
  conv: [
    ['v', 'object'],
    ['v.id', 'string'],
  ],
  turn: [
    ['id', 'string'],
    ['base', 'number'],
    ['msgs', 'object'],
  ],
  session: [
    ['v', 'object'],
    ['v.buyerId', 'string'],
  ],
  msg: [
    ['v', 'object'],
    ['v.conversationId', 'string'],
    ['v.seq', 'number'],
  ],
  enqueue: [
    ['v', 'object'],
    ['v.conversationId', 'string'],
  ],
  dequeue: [['id', 'string']],
  presence: [
    ['v', 'object'],
    ['v.agentId', 'string'],
  ],
  assign: [
    ['agent', 'string'],
    ['conv', 'string'],
  ],
  unassign: [
    ['agent', 'string'],
    ['conv', 'string'],
  ],
  lease: [
    ['agent', 'string'],
    ['until', 'number'],
  ],
  unlease: [['agent', 'string']],
  timer: [
    ['v', 'object'],
    ['v.key', 'string'],
  ],
  untimer: [['key', 'string']],
  script: [
    ['v', 'object'],
    ['v.version', 'number'],
  ],
  active: [['version', 'number']],
  draft: [
    ['path', 'string'],
    ['v', 'object'],
  ],
  undraft: [],
  audit: [
    ['n', 'number'],
    ['v', 'object'],
  ],
  drop: [
    ['buyer', 'string'],
    ['conv', 'string'],
  ],
  forget: [['conv', 'string']],
  seen: [
    ['key', 'string'],
    ['until', 'number'],
  ],
};
