/**
 * One Bus subscription per conversation per instance, fanned out to every local listener
 * (buyer tabs, agent consoles). Keeps the number of Redis subscriptions proportional to
 * open conversations, not sockets, and drops the subscription when the last listener leaves.
 */
import type { Bus } from '../store/types';
import { conversationChannel, parseConversationEvent, type ConversationEvent } from './events';

export type ConversationListener = (event: ConversationEvent) => void;

interface Entry {
  listeners: Set<ConversationListener>;
  /** Resolves once the Bus subscription is live; holds the unsubscribe function. */
  ready: Promise<(() => Promise<void>) | null>;
}

export class ConversationFanout {
  private readonly entries = new Map<string, Entry>();

  /**
   * `options.inProcess`: the Bus only carries this process's own events (the embedded
   * store's), which TypeScript checked where they were built; the schema check is for events
   * that crossed a wire from another instance, possibly another version (Redis).
   */
  constructor(
    private readonly bus: Bus,
    private readonly onError: (err: unknown, conversationId: string) => void = () => {},
    private readonly options: { inProcess?: boolean } = {},
  ) {}

  /**
   * Adds a listener for one conversation. Resolves once events published from now on will
   * reach it; returns the function that removes it.
   */
  async listen(conversationId: string, listener: ConversationListener): Promise<() => void> {
    let entry = this.entries.get(conversationId);
    if (!entry) {
      const listeners = new Set<ConversationListener>();
      const ready = this.bus
        .subscribe(conversationChannel(conversationId), (payload) => {
          const event = this.options.inProcess ? (payload as ConversationEvent) : parseConversationEvent(payload);
          if (!event || event.conversationId !== conversationId) return;
          for (const l of [...listeners]) {
            try {
              l(event);
            } catch (err) {
              this.onError(err, conversationId);
            }
          }
        })
        .catch((err: unknown) => {
          this.onError(err, conversationId);
          return null;
        });
      entry = { listeners, ready };
      this.entries.set(conversationId, entry);
    }
    entry.listeners.add(listener);
    await entry.ready;
    const current = entry;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      current.listeners.delete(listener);
      if (current.listeners.size === 0 && this.entries.get(conversationId) === current) {
        this.entries.delete(conversationId);
        void current.ready.then((unsubscribe) => unsubscribe?.()).catch((err: unknown) => this.onError(err, conversationId));
      }
    };
  }

  /** Number of conversations with at least one local listener. */
  get size(): number {
    return this.entries.size;
  }

  /** Drops every subscription (shutdown). */
  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.ready.then((u) => u?.()).catch(() => undefined)));
  }
}
