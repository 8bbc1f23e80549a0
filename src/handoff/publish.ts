/**
 * How the handoff tells consoles what changed. Frames go out on the Bus channel
 * AGENT_CHANNEL, to one agent or to all ('*'); every instance forwards them to its local
 * consoles (src/transport/agent-socket.ts). Buyer-facing changes go through the conversation
 * port instead.
 *
 * The queue travels as incremental events: each change publishes the one row that changed
 * ('added' / 'updated' with the row, 'removed' with its id), built from that conversation
 * alone, and only by the instance that made the change. A console gets the whole queue once,
 * on connect and when it asks (`refresh`), and applies the events to it.
 */
import type { SlaKind } from './sla';
import type { ConversationFrame, HistoryItem, QueueItemView } from './view';
import type { HandoffCore } from './core';
import type { AgentStatusView, HandoffViews } from './views';
import type { QueueEntry } from '../store/types';

/** Bus channel for agent-facing events; every instance forwards them to its local consoles. */
export const AGENT_CHANNEL = 'handoff:agents';

/** One change of the queue: a row added or updated (with the row), or removed. */
export type QueueChangeFrame =
  | { type: 'queue_item'; op: 'added' | 'updated'; conversationId: string; item: QueueItemView; serverTime: number }
  | { type: 'queue_item'; op: 'removed'; conversationId: string; serverTime: number };

/** Frames the handoff sends to consoles (the socket adds hello/ack/error and live turns). */
export type AgentEventFrame =
  | ConversationFrame
  | { type: 'released'; conversationId: string; reason: 'transfer' | 'handover' | 'returned' | 'closed' }
  | { type: 'queue'; queue: QueueItemView[]; serverTime: number }
  | QueueChangeFrame
  | { type: 'agents'; agents: AgentStatusView[] }
  | { type: 'sla'; conversationId: string; kind: SlaKind; state: 'approaching' | 'breached'; dueAt: number }
  | { type: 'note'; conversationId: string; note: HistoryItem };

/** What is published on AGENT_CHANNEL: a frame for one agent or for all ('*'). */
export interface AgentBusMessage {
  to: string;
  frame: AgentEventFrame;
}

/**
 * While changes to one row keep coming (a queued buyer writing fast), the row is rebuilt at
 * most this often; the first change after a quiet spell goes out at once.
 */
const ROW_REBUILD_GAP_MS = 100;

type QueueOp = QueueChangeFrame['op'];

interface RowPublish {
  again: boolean;
  op: QueueOp;
  entry: QueueEntry | undefined;
  done: Promise<void>;
}

export class AgentPublisher {
  private readonly rows = new Map<string, RowPublish>();

  constructor(
    private readonly core: HandoffCore,
    private readonly views: HandoffViews,
  ) {}

  /** Publishes a frame to one agent's consoles (on every instance) or to all with '*'. */
  async publishTo(to: string, frame: AgentEventFrame): Promise<void> {
    const message: AgentBusMessage = { to, frame };
    await this.core.store.publish(AGENT_CHANNEL, message);
  }

  /**
   * The conversation's queue row may have changed (it entered the queue, the buyer wrote, a
   * clock moved): publishes its current row, or its removal when it is no longer queued.
   * `op` says how the row is announced ('added' when this change put it in the queue,
   * 'removed' when the caller knows it left, which needs no read); `entry` saves reading the
   * queue when the caller has it. Changes of one row go out in order, so a row built before
   * a removal is never published after it.
   */
  queueChanged(conversationId: string, op: QueueOp = 'updated', entry?: QueueEntry): Promise<void> {
    const running = this.rows.get(conversationId);
    if (running) {
      running.again = true;
      running.op = op === 'updated' && running.op === 'added' ? 'added' : op;
      running.entry = undefined;
      return running.done;
    }
    const row: RowPublish = { again: false, op, entry, done: Promise.resolve() };
    row.done = (async () => {
      do {
        row.again = false;
        const { op: current, entry: known } = row;
        row.op = 'updated';
        row.entry = undefined;
        await this.publishRow(conversationId, current, known);
        if (row.again) await new Promise((r) => setTimeout(r, ROW_REBUILD_GAP_MS));
      } while (row.again);
    })().finally(() => {
      this.rows.delete(conversationId);
    });
    return row.done;
  }

  /** The conversation left the queue (claimed, withdrawn): consoles drop its row. */
  queueRemoved(conversationId: string): Promise<void> {
    return this.queueChanged(conversationId, 'removed');
  }

  private async publishRow(conversationId: string, op: QueueOp, entry: QueueEntry | undefined): Promise<void> {
    const item = op === 'removed' ? null : await this.views.queueItem(conversationId, entry);
    const serverTime = this.core.nowMs();
    const frame: QueueChangeFrame =
      item && op !== 'removed'
        ? { type: 'queue_item', op, conversationId, item, serverTime }
        : { type: 'queue_item', op: 'removed', conversationId, serverTime };
    await this.publishTo('*', frame);
  }

  /** Every agent's presence and load, to every console (a short list: the configured agents). */
  async publishAgents(): Promise<void> {
    await this.publishTo('*', { type: 'agents', agents: await this.views.agentsView() });
  }
}
