/**
 * Prometheus metrics (prom-client) for the whole server, on a registry of its own so that
 * several apps in one test process never collide. Each instance counts what it handled
 * itself; Prometheus sums instances, so nothing here is shared through the Store.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Direction = 'in' | 'out';
export type SuggestionUse = 'sent_as_is' | 'edited' | 'ignored';

/** The metric handles plus small helpers so call sites stay one line. */
export interface Metrics {
  readonly registry: Registry;
  readonly messages: Counter<'direction' | 'from' | 'intent'>;
  readonly turns: Counter<'outcome'>;
  readonly handoffs: Counter<'reason' | 'priority'>;
  readonly queueLength: Gauge;
  readonly queueWait: Histogram;
  readonly firstResponse: Histogram<'responder'>;
  readonly slaBreaches: Counter<'kind'>;
  readonly slaApproaching: Counter<'kind'>;
  readonly suggestions: Counter<'template' | 'use'>;
  readonly agentsOnline: Gauge;
  /** Acts the buyers confirmed (deal, address_change, exchange, return, refund, cod, remark). */
  readonly acts: Counter<'kind'>;
  readonly quickPhrases: Counter<'code' | 'use'>;
  readonly tags: Counter<'tag'>;
  readonly csat: Counter<'score'>;
  /** Misunderstood buyer messages agents marked and managers reviewed (src/learn), by event and intent. */
  readonly corrections: Counter<'event' | 'intent'>;
  /** Embedded store: seconds each journal batch took to write and fsync (what a buyer's ack and the bot's reply wait for). */
  readonly journalBatch: Histogram;
  /** Sets the async source of live gauges (queue length, agents online), read on each scrape. */
  setLiveSource(source: () => Promise<{ queueLength: number; agentsOnline: number }>): void;
  /** Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Include Node process metrics (CPU, memory, event loop). Default true. */
  defaultMetrics?: boolean;
  prefix?: string;
}

/** Creates a fresh registry with every metric the product reports. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const p = options.prefix ?? 'kefu_';
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: p });

  let liveSource: (() => Promise<{ queueLength: number; agentsOnline: number }>) | undefined;
  let live: Promise<{ queueLength: number; agentsOnline: number }> | undefined;
  // Both gauges read the same snapshot per scrape, fetched once.
  const readLive = async (): Promise<{ queueLength: number; agentsOnline: number } | undefined> => {
    if (!liveSource) return undefined;
    live ??= liveSource().finally(() => {
      live = undefined;
    });
    try {
      return await live;
    } catch {
      return undefined; // a store hiccup must not break the scrape
    }
  };

  const messages = new Counter({
    name: `${p}messages_total`,
    help: 'Conversation messages by direction (in = from buyer, out = to buyer), sender and intent',
    labelNames: ['direction', 'from', 'intent'] as const,
    registers: [registry],
  });
  const turns = new Counter({
    name: `${p}buyer_turns_total`,
    help: 'Buyer messages by outcome: auto_answered by the bot, handed_off to a person, with_agent while a person holds it',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const handoffs = new Counter({
    name: `${p}handoffs_total`,
    help: 'Conversations handed to a person, by reason and queue priority',
    labelNames: ['reason', 'priority'] as const,
    registers: [registry],
  });
  const queueLength = new Gauge({
    name: `${p}handoff_queue_length`,
    help: 'Conversations waiting in the handoff queue',
    registers: [registry],
    async collect() {
      const v = await readLive();
      if (v) this.set(v.queueLength);
    },
  });
  const agentsOnline = new Gauge({
    name: `${p}agents_online`,
    help: 'Agents with presence online',
    registers: [registry],
    async collect() {
      const v = await readLive();
      if (v) this.set(v.agentsOnline);
    },
  });
  const queueWait = new Histogram({
    name: `${p}handoff_queue_wait_seconds`,
    help: 'Time a handed-off conversation waited in the queue before an agent got it',
    buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });
  const firstResponse = new Histogram({
    name: `${p}first_response_seconds`,
    help: 'Time from a buyer message to the first reply, by responder (bot or agent)',
    labelNames: ['responder'] as const,
    buckets: [0.05, 0.25, 1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const slaBreaches = new Counter({
    name: `${p}sla_breaches_total`,
    help: 'SLA clocks that ran out (first_response 5 min, logistics_resolution 48 h)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const slaApproaching = new Counter({
    name: `${p}sla_approaching_total`,
    help: 'SLA clocks that entered the warning window before running out',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const suggestions = new Counter({
    name: `${p}suggestions_total`,
    help: 'Suggested replies by template and what the agent did: sent_as_is, edited, ignored',
    labelNames: ['template', 'use'] as const,
    registers: [registry],
  });

  const acts = new Counter({
    name: `${p}acts_total`,
    help: 'Acts buyers confirmed with the bot, by kind (deal, address_change, exchange, return, refund, cod, remark)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const quickPhrases = new Counter({
    name: `${p}quick_phrases_total`,
    help: 'Quick phrases agents sent, by code and whether they sent it as inserted (sent_as_is) or edited it first',
    labelNames: ['code', 'use'] as const,
    registers: [registry],
  });

  const tags = new Counter({
    name: `${p}conversation_tags_total`,
    help: 'Tags agents added to conversations, by tag',
    labelNames: ['tag'] as const,
    registers: [registry],
  });
  const csat = new Counter({
    name: `${p}csat_answers_total`,
    help: 'Buyer ratings of closed conversations (CSAT), by score 1-5',
    labelNames: ['score'] as const,
    registers: [registry],
  });
  const corrections = new Counter({
    name: `${p}nlu_corrections_total`,
    help: 'Corrections of the bot understanding: marked and repicked by agents, accepted and rejected by managers, by the intent they name',
    labelNames: ['event', 'intent'] as const,
    registers: [registry],
  });

  const journalBatch = new Histogram({
    name: `${p}journal_batch_seconds`,
    help: 'Embedded store: time to write and fsync one group-committed journal batch (acks and replies wait for it)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });

  return {
    registry,
    journalBatch,
    messages,
    turns,
    handoffs,
    queueLength,
    queueWait,
    firstResponse,
    slaBreaches,
    slaApproaching,
    suggestions,
    agentsOnline,
    acts,
    quickPhrases,
    tags,
    csat,
    corrections,
    setLiveSource(source) {
      liveSource = source;
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** Counts the acts recorded in one turn (wired as the engine's onActs). */
export function countActs(metrics: Pick<Metrics, 'acts'>, acts: readonly { kind: string }[]): void {
  for (const a of acts) metrics.acts.inc({ kind: a.kind });
}
