/**
 * What an agent does in a conversation they hold: send the buyer a message, add an internal
 * note, give the conversation back to the bot, or close it with a resolution tag. Each
 * checks that the agent holds the conversation; letting go frees a slot, so routing runs.
 */
import type { ConversationState, Suggestion } from '../model/conversation';
import type { Metrics } from '../metrics';
import { suggestionUse, type MessageSuggestionUse } from './suggestion-use';
import type { StoredMessage } from '../store/types';
import { displayNameOf } from './agents';
import { notesLogId, type ConversationPort, type HandoffCore } from './core';
import type { AgentPublisher } from './publish';
import type { Routing } from './routing';
import type { SlaClocks } from './sla-clocks';
import { lastTurn, type HistoryItem } from './view';

/** Resolution tags an agent closes a conversation with. */
export const RESOLUTIONS = ['resolved', 'refunded', 'exchanged', 'resent', 'no_action', 'spam'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export interface AgentActionsDeps {
  conversations: ConversationPort;
  metrics?: Metrics;
}

export class AgentActions {
  constructor(
    private readonly core: HandoffCore,
    private readonly routing: Routing,
    private readonly clocks: SlaClocks,
    private readonly publisher: AgentPublisher,
    private readonly deps: AgentActionsDeps,
  ) {}

  /**
   * Sends an agent's message to the buyer (stored like any other message). `suggestionIndex`
   * says which suggested reply the agent started from, for the suggestion-use metric.
   */
  async sendMessage(
    agentId: string,
    conversationId: string,
    text: string,
    opts: { clientId?: string; suggestionIndex?: number } = {},
  ): Promise<StoredMessage> {
    const conv = await this.core.requireHolder(agentId, conversationId);
    const suggestions = conv.handoff?.suggestions ?? [];
    const used = suggestionUse(suggestions, text, opts.suggestionIndex);
    const stored = await this.deps.conversations.postMessage(conversationId, {
      from: 'agent',
      agentId,
      text,
      at: this.core.nowIso(),
      ...(opts.clientId ? { clientId: opts.clientId } : {}),
      // The use is kept on the message too, so reports count suggestion acceptance over any period.
      meta: { agentName: displayNameOf(this.core.requireAgent(agentId)), ...(used ? { suggestion: used } : {}) },
    });
    this.deps.metrics?.messages.inc({ direction: 'out', from: 'agent', intent: lastTurn(conv)?.intent ?? 'none' });
    this.countSuggestionUse(suggestions, used);
    await this.clocks.stopFirstResponse(conversationId, 'agent');
    return stored;
  }

  private countSuggestionUse(suggestions: readonly Suggestion[], used: MessageSuggestionUse | undefined): void {
    const m = this.deps.metrics;
    if (!m || !used) return;
    if (used.use === 'ignored') {
      for (const s of suggestions) m.suggestions.inc({ template: s.templateId ?? 'none', use: 'ignored' });
      return;
    }
    m.suggestions.inc({ template: used.templateId ?? 'none', use: used.use });
  }

  /** Adds an internal note (never shown to the buyer) and shows it on every console holding it. */
  async addNote(agentId: string, conversationId: string, text: string): Promise<HistoryItem> {
    await this.core.requireHolder(agentId, conversationId);
    const stored = await this.core.store.appendMessage(notesLogId(conversationId), {
      from: 'system',
      agentId,
      text,
      at: this.core.nowIso(),
      meta: { internal: true },
    });
    const note: HistoryItem = { from: 'note', text: stored.text, at: stored.at, agentId };
    await this.publisher.publishTo(agentId, { type: 'note', conversationId, note });
    return note;
  }

  /** Gives the conversation back to the bot: auto replies resume with the next buyer message. */
  async returnToBot(agentId: string, conversationId: string): Promise<void> {
    await this.letGo(agentId, conversationId, 'returned', (conv) => {
      const next: ConversationState = { ...conv, status: 'bot' };
      delete next.handoff;
      return next;
    });
  }

  /** Closes the conversation with a resolution tag. */
  async close(agentId: string, conversationId: string, resolution: Resolution): Promise<void> {
    await this.letGo(agentId, conversationId, 'closed', (conv) => ({ ...conv, status: 'closed', closedResolution: resolution }), resolution);
  }

  /** The holder lets go of the conversation for good: clocks stop, consoles and the buyer are told, the slot is routed. */
  private async letGo(
    agentId: string,
    conversationId: string,
    how: 'returned' | 'closed',
    change: (conv: ConversationState) => ConversationState,
    resolution?: Resolution,
  ): Promise<void> {
    await this.core.requireHolder(agentId, conversationId);
    const ok = await this.core.updateConversation(conversationId, (conv) => {
      if (conv.assignedAgent !== agentId) return null;
      const next = change(conv);
      delete next.assignedAgent;
      return next;
    });
    await this.core.store.unassign(agentId, conversationId);
    if (!ok) return;
    await this.core.recordHistory(conversationId, { kind: how, at: this.core.nowIso(), agentId, ...(resolution ? { resolution } : {}) });
    await this.clocks.clear(conversationId);
    await this.publisher.publishTo(agentId, { type: 'released', conversationId, reason: how });
    await this.deps.conversations.setHandoffStatus(conversationId, how);
    await this.routing.dispatch();
    await this.publisher.publishAgents();
  }
}
