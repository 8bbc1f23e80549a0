/**
 * The handoff invariant every store keeps, and the start-up sweep that repairs data written
 * before the stores kept it.
 *
 * The invariant: a conversation is `queued` if and only if it has a queue entry, and `agent`
 * if and only if the agent named in `assignedAgent` holds it (it is in that agent's
 * assignments, and in nobody else's). The stores keep it atomically: saving a conversation
 * adds or drops its queue entry and its assignment to match its status, claimNext moves the
 * conversation to `agent` in the same step that takes its entry, and so on (see the
 * HandoffQueueStore and AgentStore docs in ./types.ts). A buyer promised a person is then
 * always in the queue, and nothing in the queue has already been answered.
 */
import type { ConversationState } from '../model/conversation';
import { AppError } from '../errors';
import type { QueueEntry, Store } from './types';

/** The queue entry a conversation saved as `queued` gets when it has none yet. */
export function defaultQueueEntry(conv: ConversationState): QueueEntry {
  const h = conv.handoff;
  return {
    conversationId: conv.id,
    priority: h?.priority ?? 'normal',
    enqueuedAt: h?.at ?? conv.updatedAt,
    ...(h?.reason ? { reason: h.reason } : {}),
  };
}

/** Refuses a conversation whose status cannot hold (with an agent, but no agent named). */
export function checkHandoffFields(conv: ConversationState): void {
  if (conv.status === 'agent' && !conv.assignedAgent) {
    throw new AppError('CONFLICT', `Conversation ${conv.id} is with an agent but names none (assignedAgent)`);
  }
}

export interface InvariantRepair {
  conversationId: string;
  problem: string;
}

/** Conversation id → agents holding it, over `agents`. */
async function holdersOf(store: Store, agents: Iterable<string>): Promise<Map<string, Set<string>>> {
  const holders = new Map<string, Set<string>>();
  for (const agentId of agents) {
    for (const id of await store.listAssignments(agentId)) {
      const set = holders.get(id) ?? new Set<string>();
      set.add(agentId);
      holders.set(id, set);
    }
  }
  return holders;
}

/** What is wrong with one conversation, given its queue entry and holders; empty when nothing. */
function problemsOf(conv: ConversationState, inQueue: boolean, held: ReadonlySet<string>): string[] {
  const out: string[] = [];
  if (conv.status === 'queued' && !inQueue) out.push('queued without a queue entry');
  if (conv.status !== 'queued' && inQueue) out.push(`queue entry while ${conv.status}`);
  if (conv.status === 'agent' && !conv.assignedAgent) out.push('with an agent but naming none');
  else if (conv.status === 'agent' && conv.assignedAgent && !held.has(conv.assignedAgent))
    out.push(`with ${conv.assignedAgent}, who does not hold it`);
  for (const agentId of held) if (conv.status !== 'agent' || conv.assignedAgent !== agentId) out.push(`held by ${agentId} while ${conv.status}`);
  return out;
}

/**
 * Finds and repairs conversations that break the invariant (data from before the stores kept
 * it, or a journal cut between two lines). The conversation's status wins: a `queued` one
 * without an entry is queued again (the buyer was promised a person), an entry or an
 * assignment that does not match its conversation is dropped, an `agent` one nobody holds is
 * held again by the agent it names, or queued when it names none. Each repair re-reads the
 * conversation under its turn lock (the lock bot turns and agent actions take), so a sweep
 * running beside live traffic never writes back a state read before a claim. Returns what it
 * repaired; each repair is also logged with `warn` and the conversation id.
 */
export async function repairHandoffInvariant(
  store: Store,
  agentIds: readonly string[],
  warn: (fields: Record<string, unknown>, message: string) => void,
  lockMs = 15_000,
): Promise<InvariantRepair[]> {
  const repairs: InvariantRepair[] = [];
  const agents = new Set([...agentIds, ...(await store.listPresence()).map((p) => p.agentId)]);
  const queue = new Set((await store.listQueue()).map((e) => e.conversationId));
  const holders = await holdersOf(store, agents);
  const conversations = await store.listConversations();
  const known = new Set(conversations.map((c) => c.id));
  const suspects = conversations.filter((c) => problemsOf(c, queue.has(c.id), holders.get(c.id) ?? new Set()).length > 0).map((c) => c.id);
  for (const id of suspects) {
    await store.withLock(`turn:${id}`, lockMs, async () => {
      const conv = await store.getConversation(id);
      if (!conv) return;
      const inQueue = (await store.getQueueEntry(id)) !== null;
      const held = (await holdersOf(store, agents)).get(id) ?? new Set<string>();
      const problems = problemsOf(conv, inQueue, held);
      if (problems.length === 0) return;
      for (const problem of problems) {
        repairs.push({ conversationId: id, problem });
        warn({ conversationId: id, problem }, 'repaired a conversation that broke the handoff invariant');
      }
      for (const agentId of held) if (conv.status !== 'agent' || conv.assignedAgent !== agentId) await store.unassign(agentId, id);
      if (conv.status !== 'queued' && inQueue) await store.removeFromQueue(id);
      // Saving makes the queue and the holder follow the status (the store keeps the invariant).
      await store.saveConversation(conv.status === 'agent' && !conv.assignedAgent ? { ...conv, status: 'queued' } : conv);
    });
  }
  for (const id of queue) {
    if (known.has(id)) continue;
    repairs.push({ conversationId: id, problem: 'queue entry of a conversation that does not exist' });
    warn(
      { conversationId: id, problem: 'queue entry of a conversation that does not exist' },
      'repaired a conversation that broke the handoff invariant',
    );
    await store.removeFromQueue(id);
  }
  return repairs;
}
