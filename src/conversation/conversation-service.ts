/**
 * The conversation service sits between the sockets and the engine: it opens and resumes
 * buyer sessions, stores every message before it is acknowledged, runs the bot turn for a
 * conversation one message at a time (a local chain plus the store lock, so two instances
 * never both reply), persists the new state, and publishes every stored message and state
 * change on the conversation's Bus channel. Sockets only deliver what the Bus says.
 *
 * Agent-side code (issue 5) uses `postMessage`, `setHandoffStatus` and `publish` so its
 * messages reach the buyer on whichever instance the buyer is connected to.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConversationState, Suggestion } from '../model/conversation';
import type { TurnResult, BotReply } from '../dialogue/types';
import type { BuyerSession, NewMessage, Store, StoredMessage } from '../store/types';
import { orderNumbersIn, type ShopScope } from '../shop/snapshot';
import { isAppError } from '../errors';
import { suggestionsAfterTurn } from '../handoff/suggestions';
import { contactIn, meansWithdraw, withCallback, type WaitingRoom } from '../handoff/waiting';
import { PRIORITY_RANK } from '../store/shared';
import type { Logger } from '../transport/logger';
import { admitHandoff, type AdmissionLimits } from '../handoff/admission';
import { capPriority } from '../handoff/priority';
import { WIDGET_CHANNEL, type ChannelRouter } from './channel';
import {
  conversationChannel,
  HANDOFF_CHANNEL,
  type ConversationEvent,
  type HandoffQueuedEvent,
  type HandoffStatus,
  type HandoffWithdrawnEvent,
} from './events';

/** The parts of the dialogue engine (src/dialogue/engine.ts) the transport uses. */
export interface ChatEngine {
  openConversation(input: { id: string; buyerId: string; shopId: string; productId?: string }): ConversationState;
  handleMessage(conv: ConversationState, text: string): TurnResult | Promise<TurnResult>;
  greet(conv: ConversationState): BotReply[];
  holdingReply(): BotReply;
  suggest(conv: ConversationState): Suggestion[];
  /** A system move said outside a turn, e.g. 'no_agent' (optional: test engines may lack it). */
  systemNotice?(name: string): BotReply | undefined;
}

export interface ConversationServiceDeps {
  store: Store;
  engine: ChatEngine;
  logger: Logger;
  clock: () => Date;
  shopId: string;
  instanceId: string;
  turnLockMs: number;
  /**
   * Loads the shop data a turn reads before the engine runs (src/shop/snapshot.ts). Absent:
   * the engine reads its shop directly (tests with a synchronous ShopData).
   */
  shopScope?: ShopScope;
  /** Called after a turn's new state is saved (e.g. to queue its new acts for the shop). */
  afterTurn?: (before: ConversationState, after: ConversationState) => Promise<void>;
  /** Per-address and per-buyer handoff budgets (src/handoff/admission.ts); unset: no admission rules. */
  admission?: AdmissionLimits;
  /**
   * What a queued buyer is told while waiting (place in the queue, business hours, callback).
   * With it the bot keeps answering queued buyers (see runQueuedTurn); without it a queued
   * buyer's messages wait for the agent, as before.
   */
  waiting?: WaitingRoom;
  /** Push channels (the webhook): every outbound event of their conversations is handed to them. */
  channels?: ChannelRouter;
}

export interface OpenSessionInput {
  buyerId?: string;
  resumeToken?: string;
  productId?: string;
  /**
   * The shop's logged-in buyer, ALREADY VERIFIED by the caller (signed shop identity, see
   * shop-identity.ts). Opens or resumes that buyer's own conversation.
   */
  shopBuyerId?: string;
  /**
   * A push channel's buyer (src/conversation/channel.ts), ALREADY VERIFIED by the channel (a
   * signed webhook request): opens or resumes the session `<channel>:<channelBuyerId>`, whose
   * conversation has buyer id `channelBuyerId` (the shop's id, so orders are found) and
   * remembers the channel. Needs `channel`.
   */
  channelBuyerId?: string;
  /** The channel opening the session (absent: the widget). */
  channel?: string;
}

/** Sessions of signed shop buyers live under `shop:<id>`, a key no anonymous buyer id can take. */
const SHOP_SESSION_PREFIX = 'shop:';

/** The session id of a signed shop buyer. */
export function shopSessionId(shopBuyerId: string): string {
  return `${SHOP_SESSION_PREFIX}${shopBuyerId}`;
}

/** Where a buyer message came from: the client address and whether the buyer is a signed shop buyer. */
export interface MessageOrigin {
  ip?: string;
  signed?: boolean;
}

export interface OpenedSession {
  session: BuyerSession;
  conversation: ConversationState;
  /** True when the buyer's id and token matched and the existing conversation continues. */
  resumed: boolean;
}

/**
 * Random bytes for ids and tokens, taken from a pool refilled 4 KB at a time: asking the
 * system's generator for 6 bytes per message cost more than the rest of storing the message.
 */
const randomPool = { bytes: Buffer.alloc(0), used: 0 };
function randomChunk(size: number): Buffer {
  if (randomPool.used + size > randomPool.bytes.length) {
    randomPool.bytes = randomBytes(Math.max(4096, size));
    randomPool.used = 0;
  }
  const chunk = randomPool.bytes.subarray(randomPool.used, randomPool.used + size);
  randomPool.used += size;
  return chunk;
}

function newId(prefix: string, bytes = 9): string {
  return `${prefix}${randomChunk(bytes).toString('base64url')}`;
}

/** A new buyer session's resume token. */
function newResumeToken(): string {
  return newId('', 24);
}

/**
 * The bot shows it is typing only when a turn takes longer than this (the shop's API is slow,
 * the journal waits on a busy disk): a reply that comes at once needs no typing frame first.
 */
const BOT_TYPING_AFTER_MS = 300;

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class ConversationService {
  /** Per-conversation tail of the local turn chain: keeps bot turns in message order. */
  private readonly turnChains = new Map<string, Promise<void>>();
  /** Every turn still running, so shutdown can wait for them. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: ConversationServiceDeps) {}

  private now(): string {
    return this.deps.clock().toISOString();
  }

  /**
   * Resumes the buyer's conversation when id and resume token match (closed ones too: the
   * next message reopens it), otherwise opens a new one. A wrong token never reveals or takes over another buyer's
   * session: it gets a fresh buyer id. A new conversation starts with the engine's greeting.
   * A verified `shopBuyerId` goes to that shop buyer's own session (`shop:<id>`) instead.
   */
  async openSession(input: OpenSessionInput): Promise<OpenedSession> {
    const { store } = this.deps;
    if (input.channelBuyerId && input.channel)
      return this.openVouchedSession(`${input.channel}:${input.channelBuyerId}`, input.channelBuyerId, input);
    if (input.shopBuyerId) return this.openVouchedSession(shopSessionId(input.shopBuyerId), input.shopBuyerId, input);
    // A shop or channel buyer's session (`shop:…`, `webhook:…`) is reached only through a
    // verified signature, never by id + token; anonymous ids never contain ':'.
    if (input.buyerId && input.resumeToken && !input.buyerId.includes(':')) {
      const existing = await store.getBuyerSession(input.buyerId);
      if (existing && sameToken(existing.resumeToken, input.resumeToken)) {
        const conv = await store.getConversation(existing.conversationId);
        if (conv) {
          // A closed conversation is resumed too: the buyer sees it all, and their next message
          // reopens it (docs/protocol.md, "Reopening").
          this.answerLeftovers(conv);
          return { session: existing, conversation: conv, resumed: true };
        }
        return this.startConversation(existing.buyerId, existing.resumeToken, input.productId);
      }
    }
    return this.startConversation(newId('b_'), newResumeToken(), input.productId);
  }

  /**
   * The verified shop buyer's open conversation, whichever device they come from, or a new
   * one under their shop id (so the engine finds their orders and address). `resumed` is true
   * only when the client also holds the session's token: only then does its cached lastSeq
   * belong to this conversation; any other client gets the whole conversation replayed.
   */
  private async openVouchedSession(sessionId: string, shopBuyerId: string, input: OpenSessionInput): Promise<OpenedSession> {
    const existing = await this.deps.store.getBuyerSession(sessionId);
    if (!existing) return this.startConversation(sessionId, newResumeToken(), input.productId, shopBuyerId, input.channel);
    const conv = await this.deps.store.getConversation(existing.conversationId);
    if (!conv) return this.startConversation(sessionId, existing.resumeToken, input.productId, shopBuyerId, input.channel);
    this.answerLeftovers(conv);
    const ownCache = input.buyerId === sessionId && input.resumeToken !== undefined && sameToken(existing.resumeToken, input.resumeToken);
    return { session: existing, conversation: conv, resumed: ownCache };
  }

  private async startConversation(
    buyerId: string,
    resumeToken: string,
    productId?: string,
    conversationBuyerId: string = buyerId,
    channel?: string,
  ): Promise<OpenedSession> {
    const { store, engine } = this.deps;
    const { conversation, greeting } = await this.withShopLenient({ buyerId: conversationBuyerId, ...(productId ? { productId } : {}) }, () => {
      const opened = engine.openConversation({
        id: newId('c_'),
        buyerId: conversationBuyerId,
        shopId: this.deps.shopId,
        ...(productId ? { productId } : {}),
      });
      // The widget is the default: only other channels mark their conversations.
      const marked = channel && channel !== WIDGET_CHANNEL ? { ...opened, channel } : opened;
      return { conversation: marked, greeting: engine.greet(marked) };
    });
    // The state and the greeting in one write, then the session that points at them.
    const at = this.now();
    const greeted = await store.commitTurn({
      conversation,
      messages: greeting.map((opening) => ({ from: 'bot', text: opening.text, at, meta: botMeta(opening) })),
    });
    const session: BuyerSession = { buyerId, resumeToken, conversationId: conversation.id };
    await store.saveBuyerSession(session);
    for (const message of greeted) await this.announce(conversation.id, message);
    return { session, conversation, resumed: false };
  }

  /**
   * Stores a buyer message (idempotent per client id), publishes it and schedules the bot
   * turn. Resolves once stored, so the caller can acknowledge; the reply follows on the Bus.
   * `duplicate` is true when the client id was seen before (no second turn runs).
   */
  async receiveBuyerMessage(
    conversationId: string,
    clientId: string,
    text: string,
    /** Who sent it (address, signed shop identity), for the handoff admission budgets. */
    origin?: MessageOrigin,
  ): Promise<{ stored: StoredMessage; duplicate: boolean }> {
    const nonce = newId('', 6);
    // The store returns the earlier message for a repeated client id; our nonce tells them apart.
    let scheduled = false;
    const startTurn = (stored: StoredMessage): void => {
      if (scheduled || stored.meta?.['nonce'] !== nonce) return;
      scheduled = true;
      this.scheduleTurn(conversationId, stored, origin);
    };
    // The turn starts as soon as the store has the message (onStored), while the message is
    // still being made durable: its reply waits for its own write, which the embedded store
    // journals after the message (one fsync for both when they meet in one batch). The
    // message is acknowledged and published only once durable, as before.
    const stored = await this.deps.store.appendMessage(
      conversationId,
      { from: 'buyer', text, clientId, at: this.now(), meta: { nonce } },
      { onStored: startTurn },
    );
    const duplicate = stored.meta?.['nonce'] !== nonce;
    if (!duplicate) {
      await this.publish({ kind: 'message', conversationId, message: stored });
      startTurn(stored);
    }
    return { stored, duplicate };
  }

  /** Stores any message (agent, system, bot) and publishes it to every instance. */
  async postMessage(conversationId: string, message: NewMessage): Promise<StoredMessage> {
    const stored = await this.deps.store.appendMessage(conversationId, message);
    await this.announce(conversationId, stored);
    return stored;
  }

  /** Publishes how the engine understood a buyer message (consoles refresh intent, facts and suggestions). */
  private async publishTurn(
    message: StoredMessage,
    result: Pick<TurnResult, 'understanding'>,
    suggestions: Suggestion[],
    status: ConversationState['status'],
  ): Promise<void> {
    const u = result.understanding;
    await this.publish({
      kind: 'turn',
      conversationId: message.conversationId,
      seq: message.seq,
      intent: u.intent,
      category: u.category,
      confidence: u.confidence,
      entities: u.entities,
      suggestions,
      status,
    });
  }

  /** Publishes a stored bot, agent or system message to every instance and hands it to the conversation's push channel. */
  private async announce(conversationId: string, message: StoredMessage): Promise<void> {
    await this.publish({ kind: 'message', conversationId, message });
    await this.toPushChannel(conversationId, (router) => router.message(message));
  }

  /** Publishes a handoff state change to the buyer's widget and any console watching. */
  async setHandoffStatus(conversationId: string, status: HandoffStatus, agent?: { id: string; name?: string }): Promise<void> {
    const agentName = agent ? (agent.name ?? agent.id) : undefined;
    await this.publish({ kind: 'handoff', conversationId, status, ...(agent ? { agentId: agent.id, agentName } : {}) });
    await this.toPushChannel(conversationId, (router) => router.handoff(conversationId, { status, ...(agentName ? { agentName } : {}) }));
  }

  /**
   * Hands an outbound event to the conversation's push channel (webhook). A failure is logged,
   * not thrown: the message is stored and the channel's reconciliation queues it later
   * (src/channels/webhook.ts), so a turn never fails for a channel's queue.
   */
  private async toPushChannel(conversationId: string, route: (router: ChannelRouter) => Promise<void>): Promise<void> {
    const router = this.deps.channels;
    if (!router || router.size === 0) return;
    await route(router).catch((err: unknown) => this.deps.logger.error({ err, conversationId }, 'could not hand an outbound event to its channel'));
  }

  /** Publishes the bot's typing once a turn has run BOT_TYPING_AFTER_MS; returns the function that cancels it. */
  private typingIfSlow(conversationId: string): () => void {
    const timer = setTimeout(() => {
      this.publish({ kind: 'typing', conversationId, from: 'bot' }).catch((err: unknown) =>
        this.deps.logger.warn({ err, conversationId }, 'could not publish the bot typing'),
      );
    }, BOT_TYPING_AFTER_MS);
    return () => clearTimeout(timer);
  }

  /** Publishes an event on the conversation's channel. */
  async publish(event: ConversationEvent): Promise<void> {
    await this.deps.store.publish(conversationChannel(event.conversationId), event);
  }

  /**
   * A buyer resuming here may have messages that were acknowledged by an instance that died
   * (SIGKILL, crash) before it ran their bot turns. Runs those turns now, in order; each turn
   * first checks under the lock that nobody answered the message meanwhile (see runTurn).
   */
  private answerLeftovers(conv: ConversationState): void {
    if (conv.status !== 'bot' && conv.status !== 'closed') return;
    void (async () => {
      if (this.turnChains.has(conv.id)) return; // this instance is answering already
      const log = await this.deps.store.messagesAfter(conv.id, 0);
      // Everything up to the newest message a bot turn answered (or an agent/system wrote) was handled.
      const handled = Math.max(
        0,
        ...log.filter((m) => m.from !== 'buyer').map((m) => (typeof m.meta?.['replyTo'] === 'number' ? m.meta['replyTo'] : m.seq)),
      );
      const leftovers = log.filter((m) => m.from === 'buyer' && m.seq > handled);
      if (leftovers.length === 0 || this.turnChains.has(conv.id)) return;
      this.deps.logger.info(
        { conversationId: conv.id, seqs: leftovers.map((m) => m.seq) },
        'answering messages left unanswered by a stopped instance',
      );
      for (const m of leftovers) this.scheduleTurn(conv.id, m);
    })().catch((err: unknown) => this.deps.logger.warn({ err, conversationId: conv.id }, 'could not check for unanswered messages'));
  }

  /** Bot turns started and not finished yet (the buyer sockets' backpressure reads it). */
  get turnsInFlight(): number {
    return this.inFlight.size;
  }

  /** Resolves when every bot turn started so far has finished (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private scheduleTurn(conversationId: string, message: StoredMessage, origin?: MessageOrigin): void {
    const previous = this.turnChains.get(conversationId) ?? Promise.resolve();
    const turn = previous.then(() => this.runTurnSafely(conversationId, message, origin));
    this.turnChains.set(conversationId, turn);
    this.inFlight.add(turn);
    void turn.finally(() => {
      this.inFlight.delete(turn);
      if (this.turnChains.get(conversationId) === turn) this.turnChains.delete(conversationId);
    });
  }

  private async runTurnSafely(conversationId: string, message: StoredMessage, origin?: MessageOrigin): Promise<void> {
    try {
      await this.deps.store.withLock(`turn:${conversationId}`, this.deps.turnLockMs, () => this.runTurn(conversationId, message, origin));
    } catch (err) {
      // Never leave the buyer unanswered: a failed turn hands the conversation to a person.
      this.deps.logger.error({ err, conversationId, seq: message.seq }, 'bot turn failed; handing off');
      await this.handOffAfterError(conversationId, message.seq, failureSummary(err), origin).catch((e: unknown) =>
        this.deps.logger.error({ err: e, conversationId }, 'could not hand off after a failed turn'),
      );
    }
  }

  private async runTurn(conversationId: string, message: StoredMessage, origin?: MessageOrigin): Promise<void> {
    const { store } = this.deps;
    const conv = await store.getConversation(conversationId);
    if (!conv) throw new Error(`conversation ${conversationId} not found`);
    // Turns are idempotent: a message already answered (by another instance resuming
    // leftovers, or before a crash) is not answered twice.
    const later = await store.messagesAfter(conversationId, message.seq);
    if (later.some((m) => m.from !== 'buyer' && m.meta?.['replyTo'] === message.seq)) return;
    if (photoOf(message)) return this.runPhotoTurn(conv, message);
    // A closed conversation reopens with the buyer's next message: the bot answers it (and
    // may hand it off again) like any conversation of its own (docs/protocol.md, "Reopening").
    const botAnswers = conv.status === 'bot' || conv.status === 'closed';
    if (conv.status === 'queued' && this.deps.waiting) {
      await this.runQueuedTurn(conv, message, this.deps.waiting);
      return;
    }
    const stopTyping = botAnswers ? this.typingIfSlow(conversationId) : undefined;
    const { result, next, replies, startsHandoff } = await this.answerAndStore(conv, message, botAnswers).finally(() => stopTyping?.());
    for (const reply of replies) await this.announce(conversationId, reply);
    // After the replies: the buyer's answer does not wait on the shop's outbox (and a crash
    // between saving the state and replying stays as narrow as it can be).
    if (this.deps.afterTurn) {
      await this.deps.afterTurn(conv, next).catch((err: unknown) => this.deps.logger.error({ err, conversationId }, 'after-turn hook failed'));
    }
    if (startsHandoff && result.handoff) {
      const { priority, reason, summary } = result.handoff;
      await this.queueForAgent(conversationId, { priority, reason, summary, at: this.now() }, next, message.seq, origin);
      this.deps.logger.info({ conversationId, reason, priority }, 'conversation handed off');
    }
    await this.publishTurn(message, result, next.handoff?.suggestions ?? result.handoff?.suggestions ?? [], next.status);
  }

  /**
   * The engine's answer to `message` and the turn stored in one write: the new state and the
   * replies together (one journal line and fsync on the embedded store).
   */
  private async answerAndStore(
    conv: ConversationState,
    message: StoredMessage,
    botAnswers: boolean,
  ): Promise<{ result: TurnResult; next: ConversationState; replies: StoredMessage[]; startsHandoff: boolean }> {
    const result = await this.withShop(conv, message.text, () => this.deps.engine.handleMessage(conv, message.text));
    const startsHandoff = Boolean(result.handoff) && botAnswers;
    const next: ConversationState = startsHandoff
      ? { ...result.conversation, status: 'queued', ...(result.handoff ? { handoff: result.handoff } : {}) }
      : withKeptSuggestions(conv, result);
    const at = this.now();
    const replies = await this.deps.store.commitTurn({
      conversation: next,
      messages: result.replies.map((reply) => ({ from: 'bot', text: reply.text, at, meta: { ...botMeta(reply), replyTo: message.seq } })),
    });
    return { result, next, replies, startsHandoff };
  }

  /**
   * A buyer turn while the conversation waits in the queue (nobody online, or all busy). The
   * handoff stays pending and the buyer is not left in silence:
   *  - `不用了` / `我自己看看` (human.withdraw) takes the request back: out of the queue, back
   *    with the bot;
   *  - a phone number or WeChat id is stored for a callback (shown on the agent's card);
   *  - a question the bot answers without handing off gets the bot's answer (once per
   *    handoff followed by where the buyer stands: place in the queue, or when people are back);
   *  - anything else (asking for a person again, a greeting) gets where the buyer stands.
   * A turn that would hand off with a higher priority (a complaint after a plain request)
   * raises the waiting conversation's priority. The engine runs on a copy of the conversation
   * as if it were with the bot, and once more as queued (which refreshes the agent's
   * suggestions), so dialogue code needs no change.
   */
  private async runQueuedTurn(conv: ConversationState, message: StoredMessage, waiting: WaitingRoom): Promise<void> {
    const stopTyping = this.typingIfSlow(conv.id);
    try {
      await this.answerQueued(conv, message, waiting, stopTyping);
    } finally {
      stopTyping();
    }
  }

  /** The queued turn itself; `stopTyping` is called once its replies are stored, before they go out (as in runTurn). */
  private async answerQueued(conv: ConversationState, message: StoredMessage, waiting: WaitingRoom, stopTyping: () => void): Promise<void> {
    const { store, engine } = this.deps;
    const conversationId = conv.id;
    const asBot: ConversationState = { ...conv, status: 'bot' };
    delete asBot.handoff;
    const probe = await this.withShop(asBot, message.text, () => engine.handleMessage(asBot, message.text));
    const contact = contactIn(message.text);
    const withdraw = meansWithdraw(probe.understanding) && !probe.handoff && !contact;
    const replies: BotReply[] = [];
    let next: ConversationState;
    let raised = false;
    if (withdraw) {
      next = { ...probe.conversation, status: 'bot' };
      delete next.handoff;
      const reply = waiting.withdrawn();
      replies.push(...(reply ? [reply] : probe.replies));
    } else {
      const queued = await this.withShop(conv, message.text, () => engine.handleMessage(conv, message.text));
      const answers = !contact && !probe.handoff && probe.replies.length > 0 && ANSWERABLE.has(probe.understanding.category);
      // Answering: the bot's flow state (haggle, pending questions) moves on as with the bot.
      const base = answers ? probe.conversation : queued.conversation;
      const handoff = suggestionsAfterTurn(conv.handoff, queued.handoff, probe.understanding.category);
      next = { ...base, status: 'queued', ...(handoff ? { handoff } : {}) };
      if (probe.handoff && next.handoff && PRIORITY_RANK[probe.handoff.priority] < PRIORITY_RANK[next.handoff.priority]) {
        next.handoff = { ...next.handoff, priority: probe.handoff.priority, reason: probe.handoff.reason, summary: probe.handoff.summary };
        raised = true;
      }
      if (contact) {
        next = withCallback(next, contact, this.now());
        const saved = waiting.saved();
        if (saved) replies.push(saved);
      } else {
        if (answers) replies.push(...probe.replies);
        const told = next.slots[WAIT_TOLD] === next.handoff?.at;
        if (!answers || !told) {
          const ahead = await store.queuePosition(conversationId);
          const line = waiting.status(ahead === null ? undefined : ahead + 1);
          if (line) replies.push(line);
          if (next.handoff) next = { ...next, slots: { ...next.slots, [WAIT_TOLD]: next.handoff.at } };
        }
      }
    }
    const at = this.now();
    const stored = await store.commitTurn({
      conversation: next,
      messages: replies.map((reply) => ({ from: 'bot', text: reply.text, at, meta: { ...botMeta(reply), replyTo: message.seq } })),
    });
    stopTyping();
    if (withdraw) {
      // The widget shows "back with the bot" before the bot's reply.
      this.deps.logger.info({ conversationId }, 'buyer withdrew the request for a person');
      await this.setHandoffStatus(conversationId, 'returned');
      await store.publish(HANDOFF_CHANNEL, { kind: 'withdrawn', conversationId, instanceId: this.deps.instanceId } satisfies HandoffWithdrawnEvent);
    }
    for (const reply of stored) await this.announce(conversationId, reply);
    if (this.deps.afterTurn) {
      await this.deps.afterTurn(conv, next).catch((err: unknown) => this.deps.logger.error({ err, conversationId }, 'after-turn hook failed'));
    }
    if (!withdraw && raised && next.handoff) {
      const { priority, reason, summary, at } = next.handoff;
      await store.publish(HANDOFF_CHANNEL, {
        kind: 'queued',
        conversationId,
        priority,
        reason,
        summary,
        at,
        instanceId: this.deps.instanceId,
      } satisfies HandoffQueuedEvent);
    }
    await this.publishTurn(message, probe, next.handoff?.suggestions ?? [], next.status);
  }

  /**
   * Stores an image message whose bytes are already in the file store (src/files/), publishes
   * it, and for a buyer's photo schedules the photo turn (below) in the conversation's turn order.
   */
  async postPhoto(
    conversationId: string,
    input: { from: 'buyer' | 'agent'; file: PhotoRef; agentId?: string; agentName?: string },
  ): Promise<StoredMessage> {
    const stored = await this.deps.store.appendMessage(conversationId, {
      from: input.from,
      text: PHOTO_TEXT,
      at: this.now(),
      ...(input.agentId ? { agentId: input.agentId } : {}),
      meta: { file: input.file, ...(input.agentName ? { agentName: input.agentName } : {}) },
    });
    if (input.from === 'buyer') await this.publish({ kind: 'message', conversationId, message: stored });
    else await this.announce(conversationId, stored);
    if (input.from === 'buyer') this.scheduleTurn(conversationId, stored);
    return stored;
  }

  /**
   * The bot cannot look at a photo, so it never pretends to: it acknowledges it (the
   * system.photo_asked reply when the last turn asked for one — damage, wrong item, colour
   * difference — else system.photo_unasked) and hands the conversation over with the photo in
   * its history. With an agent already on it, the agent simply sees the photo.
   */
  private async runPhotoTurn(conv: ConversationState, message: StoredMessage): Promise<void> {
    if (conv.status !== 'bot') return;
    const { engine } = this.deps;
    const asked = photoWasAsked(conv);
    const reply = engine.systemNotice?.(asked ? 'photo_asked' : 'photo_unasked') ?? engine.holdingReply();
    const at = this.now();
    const last = conv.turns[conv.turns.length - 1];
    const summary = asked ? `买家按要求发来照片（${last?.intent ?? ''}：「${(last?.text ?? '').slice(0, 40)}」）` : '买家发来一张图片';
    const reason = asked ? 'after_sale' : 'low_confidence';
    const priority = asked ? 'high' : 'normal';
    let suggestions: ReturnType<ChatEngine['suggest']> = [];
    try {
      suggestions = engine.suggest(conv);
    } catch {
      // No suggestions: the agent still gets the photo.
    }
    const queued: ConversationState = { ...conv, status: 'queued', updatedAt: at, handoff: { reason, priority, summary, suggestions, at } };
    const [stored] = await this.deps.store.commitTurn({
      conversation: queued,
      messages: [{ from: 'bot', text: reply.text, at, meta: { ...botMeta(reply), replyTo: message.seq } }],
    });
    if (stored) await this.announce(conv.id, stored);
    await this.queueForAgent(conv.id, { priority, reason, summary, at }, queued, message.seq);
    this.deps.logger.info({ conversationId: conv.id, asked }, 'buyer photo: handed off');
  }

  /** Runs an engine call on a fresh shop snapshot for this conversation and message (throws SHOP_UNAVAILABLE). */
  private withShop<T>(conv: ConversationState, text: string, fn: () => T | Promise<T>): Promise<T> {
    const scope = this.deps.shopScope;
    if (!scope) return Promise.resolve().then(fn);
    const orderNumbers = [...orderNumbersIn(text), ...(conv.orderId ? [conv.orderId] : [])];
    return scope.run({ buyerId: conv.buyerId, ...(conv.productId ? { productId: conv.productId } : {}), orderNumbers }, fn);
  }

  /** Like withShop for the greeting: a shop that cannot answer gets a generic greeting, not none. */
  private withShopLenient<T>(request: { buyerId: string; productId?: string }, fn: () => T): Promise<T> {
    const scope = this.deps.shopScope;
    if (!scope) return Promise.resolve().then(fn);
    return scope.runLenient(request, fn, (err) =>
      this.deps.logger.warn({ err, buyerId: request.buyerId }, 'shop unavailable at greeting; greeting without shop data'),
    );
  }

  /**
   * A turn failed outside the engine (the engine catches its own failures): tell the buyer
   * a person is coming, then queue the conversation for one with high priority.
   */
  private async handOffAfterError(conversationId: string, replyTo: number, summary = 'bot turn failed', origin?: MessageOrigin): Promise<void> {
    const { store, engine } = this.deps;
    const conv = await store.getConversation(conversationId);
    if (!conv || (conv.status !== 'bot' && conv.status !== 'closed')) return;
    const at = this.now();
    const reply = engine.holdingReply();
    await this.postMessage(conversationId, { from: 'bot', text: reply.text, at, meta: { ...botMeta(reply), replyTo } }).catch((err: unknown) =>
      this.deps.logger.error({ err, conversationId }, 'could not post the holding reply'),
    );
    const queued: ConversationState = {
      ...conv,
      status: 'queued',
      updatedAt: at,
      handoff: { reason: 'error', priority: 'high', summary, suggestions: [], at },
    };
    await store.saveConversation(queued);
    await this.queueForAgent(conversationId, { priority: 'high', reason: 'error', summary, at }, queued, replyTo, origin);
  }

  /**
   * Puts a conversation (already saved with status 'queued') in the handoff queue, tells the
   * buyer's widget, tells the buyer when people are back if it is outside business hours, and
   * announces it on the handoff channel for the agent side to route. `replyTo`: the buyer
   * message that led here.
   */
  private async queueForAgent(
    conversationId: string,
    h: Pick<HandoffQueuedEvent, 'priority' | 'reason' | 'summary' | 'at'>,
    conversation: ConversationState,
    replyTo: number,
    origin?: MessageOrigin,
  ): Promise<void> {
    const { store } = this.deps;
    const limits = this.deps.admission;
    const result = limits
      ? await admitHandoff({
          conversation,
          limits,
          rate: store,
          signed: origin?.signed === true,
          ...(origin?.ip !== undefined ? { origin: origin.ip } : {}),
        })
      : undefined;
    const admission = result?.admission ?? {};
    if (result?.firstOverBudget) {
      this.deps.logger.warn(
        { conversationId, ip: origin?.ip, suspect: admission.suspect, group: admission.group },
        'handoffs over their budget; queueing the rest at normal priority, marked suspect',
      );
    }
    const priority = capPriority(h.priority, admission.cap);
    await store.enqueue({ conversationId, priority, enqueuedAt: h.at, reason: h.reason, ...admission });
    await this.setHandoffStatus(conversationId, 'queued');
    // Outside business hours nobody is in: say when people are back (before routing, whose
    // no-agent notice then has nothing to add; see QueueEntrance in src/handoff/queue-entry.ts).
    const waiting = this.deps.waiting;
    const closedNow = waiting && !waiting.hours().open ? waiting.status(undefined) : undefined;
    if (closedNow) {
      await this.postMessage(conversationId, { from: 'bot', text: closedNow.text, at: this.now(), meta: { ...botMeta(closedNow), replyTo } });
    }
    const queued: HandoffQueuedEvent = { kind: 'queued', conversationId, ...h, priority, instanceId: this.deps.instanceId };
    await store.publish(HANDOFF_CHANNEL, queued);
  }
}

/** A chat image as messages carry it in meta.file (bytes in the file store, src/files/). */
export interface PhotoRef {
  id: string;
  contentType: string;
  size: number;
}

/** The stored text of an image message (transcripts and clients without images show it). */
const PHOTO_TEXT = '[图片]';

function photoOf(m: StoredMessage): PhotoRef | undefined {
  const f = m.meta?.['file'];
  return typeof f === 'object' && f !== null && typeof (f as PhotoRef).id === 'string' ? (f as PhotoRef) : undefined;
}

/** Flows whose replies ask the buyer for a photo (templates return.damaged, return.exchange …). */
const PHOTO_FLOWS = new Set(['return.damaged', 'return.exchange', 'return.refund', 'delivery.signed_not_received']);

/** True when the bot's last turn was one that asks for a photo (a colour complaint counts). */
function photoWasAsked(conv: ConversationState): boolean {
  const last = conv.turns[conv.turns.length - 1];
  if (!last) return false;
  return PHOTO_FLOWS.has(last.intent) || (last.intent === 'product.size_color' && last.text.includes('色差'));
}

/** What the agent reads about a failed turn: the shop being down is worth saying (the bot could not look anything up). */
function failureSummary(err: unknown): string {
  if (isAppError(err) && err.code === 'SHOP_UNAVAILABLE') return `店铺系统暂时无法访问，机器人未能查询订单/物流（${err.message.slice(0, 120)}）`;
  return 'bot turn failed';
}

/** slots key: the handoff (its `at`) whose buyer was told where they stand after a bot answer. */
const WAIT_TOLD = 'waitToldFor';
/** Categories whose answers the bot gives a queued buyer (the rest wait for the person). */
const ANSWERABLE: ReadonlySet<string> = new Set(['haggle', 'address', 'delivery', 'return', 'product', 'payment']);

/** The turn's state, with the agent's suggestions kept when the buyer's line adds nothing (src/handoff/suggestions.ts). */
function withKeptSuggestions(before: ConversationState, result: TurnResult): ConversationState {
  const after = result.conversation;
  if (before.status !== 'queued' && before.status !== 'agent') return after;
  const handoff = suggestionsAfterTurn(before.handoff, after.handoff, result.understanding.category);
  return handoff ? { ...after, handoff } : after;
}

function botMeta(reply: BotReply): Record<string, unknown> {
  return {
    intent: reply.intent,
    category: reply.category,
    ...(reply.templateId ? { templateId: reply.templateId } : {}),
    ...(reply.quickReplies && reply.quickReplies.length > 0 ? { quickReplies: reply.quickReplies } : {}),
    ...(reply.offer !== undefined ? { offer: reply.offer } : {}),
  };
}
