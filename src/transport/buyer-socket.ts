/**
 * The widget channel (/ws/buyer): a live channel (src/conversation/channel.ts) that turns JSON
 * frames into calls on the buyer inbox and delivers the conversation back in seq order. The
 * rules every channel shares (trim, length, rate limit, shutdown, what a buyer may see) live
 * in src/conversation/; this file only knows the socket: framing, hello and resume, acks,
 * socket timeouts and floods of invalid frames.
 *
 * Delivery is driven by the Bus and backed by the message log: each socket remembers the last
 * seq it delivered, takes the next message straight from the Bus event and fills any gap from
 * the store, so a buyer sees every message exactly once and in order, whichever instance
 * stored it.
 */
import type { WebSocket, RawData } from 'ws';
import { ERRORS, type ErrorCode } from '../errors';
import type { Limits } from '../config';
import type { Store, StoredMessage } from '../store/types';
import type { ConversationService } from '../conversation/conversation-service';
import type { ConversationFanout } from '../conversation/fanout';
import type { ConversationEvent } from '../conversation/events';
import { WIDGET_CHANNEL, type Channel } from '../conversation/channel';
import type { BuyerInbox, Refusal } from '../conversation/inbound';
import { toOutbound, type OutboundEvent, type OutboundMessage } from '../conversation/outbound';
import type { Logger } from './logger';
import type { TurnBackpressure } from './backpressure';
import { encodeFrame, parseClientFrame, type HelloFrame, type OutMessageFrame, type ServerFrame } from './protocol';
import { verifyShopBuyer } from './shop-identity';
import { fileUrl } from '../files/frame';
import { WindowCounter } from './outbound';

export interface BuyerSocketDeps {
  store: Store;
  conversations: Pick<ConversationService, 'openSession' | 'publish'>;
  /** The rules every channel shares, in front of the conversation service. */
  inbox: BuyerInbox;
  fanout: ConversationFanout;
  limits: Limits;
  logger: Logger;
  /** Key of the shop's buyer signatures (config.shopSecret). */
  shopSecret: string;
  /** The client's address: per-address budgets (messages, new sessions) count on it. */
  ip?: string;
  /** Pauses reading this socket while too many bot turns are in flight (./backpressure.ts). */
  backpressure?: TurnBackpressure;
}

/** Buyer ids of signed shop buyers start with this (see conversation-service.ts). */
const SIGNED_PREFIX = 'shop:';

/** Buyer typing is forwarded to agents at most this often per socket. */
const TYPING_INTERVAL_MS = 2000;
/** Messages fetched per store read when catching up. */
const REPLAY_PAGE = 200;

/** Per-connection state of one buyer socket: the widget channel for one buyer. */
class BuyerConnection implements Channel {
  readonly name = WIDGET_CHANNEL;
  private buyerId: string | null = null;
  private conversationId: string | null = null;
  /** Hello (explicit or implied by a first message) in progress or done. */
  private opening: Promise<void> | null = null;
  private deliveredSeq = 0;
  /** Client ids sent on this socket and not acknowledged yet. */
  private readonly pending = new Set<string>();
  /** Serialises delivery so frames leave in seq order. */
  private chain: Promise<void> = Promise.resolve();
  private stopListening: (() => void) | null = null;
  private lastTypingAt = 0;
  private closed = false;
  /** The TCP socket is corked until the next turn of the event loop (see corkUntilNextTurn). */
  private corked = false;
  /** Set once this side decided to close: frames still arriving are ignored (and not logged). */
  private closing = false;
  private readonly invalidFrames: WindowCounter;
  private readonly errorReplies: WindowCounter;
  /** Hello timeout until the first hello or message, then the idle timeout. */
  private timer: NodeJS.Timeout | null = null;
  /** Which timeout `timer` runs. */
  private timerCode: 'IDLE_TIMEOUT' | 'HELLO_TIMEOUT' | null = null;
  private greeted = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: BuyerSocketDeps,
    private readonly log: Logger,
  ) {
    this.invalidFrames = new WindowCounter(deps.limits.rateLimitWindowMs);
    this.errorReplies = new WindowCounter(deps.limits.rateLimitWindowMs);
  }

  start(): void {
    this.ws.on('message', (data: RawData, isBinary: boolean) => this.onFrame(data, isBinary));
    this.ws.on('close', () => {
      this.deps.backpressure?.forget(this.ws);
      this.onClose();
    });
    this.ws.on('error', (err) => this.log.debug({ err }, 'buyer socket error'));
    this.armTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerCode = null;
  }

  /** (Re)starts the socket's timeout: HELLO_TIMEOUT before the first hello or message, IDLE_TIMEOUT after. */
  private armTimer(): void {
    const code = this.greeted ? 'IDLE_TIMEOUT' : 'HELLO_TIMEOUT';
    // The same timeout again (every message after the first): restart it without a new timer.
    if (this.timer && this.timerCode === code) {
      this.timer.refresh();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timerCode = code;
    const { helloTimeoutMs, idleSocketTimeoutMs } = this.deps.limits.abuse;
    this.timer = setTimeout(
      () => {
        this.log.info({ code }, this.greeted ? 'closing idle buyer socket' : 'closing buyer socket that never said hello');
        this.fail(code, undefined, true);
      },
      this.greeted ? idleSocketTimeoutMs : helloTimeoutMs,
    );
    this.timer.unref();
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.closing || this.closed) return;
    if (isBinary) {
      this.fail('BINARY_FRAME', undefined, true);
      return;
    }
    const parsed = parseClientFrame(rawToString(data));
    if (!parsed.ok) {
      this.onInvalidFrame(parsed.code, parsed.detail);
      return;
    }
    const frame = parsed.frame;
    if (frame.type !== 'typing') {
      this.greeted = true;
      this.armTimer();
    }
    switch (frame.type) {
      case 'hello':
        if (this.opening) {
          this.sendError('CONFLICT', 'hello was already received on this socket');
          return;
        }
        this.opening = this.open(frame);
        return;
      case 'message':
        void this.onMessage(frame.id, frame.text);
        this.deps.backpressure?.admitted(this.ws);
        return;
      case 'typing':
        void this.onTyping();
        return;
    }
  }

  /**
   * An invalid frame is answered (at most ERROR_REPLIES_PER_WINDOW times per window, so a
   * client that never reads cannot make us queue replies), and a socket that sends more than
   * INVALID_FRAME_LIMIT of them in one window is closed with INVALID_FLOOD, logged once.
   */
  private onInvalidFrame(code: ErrorCode, detail: string): void {
    const { invalidFrameLimit } = this.deps.limits.abuse;
    const count = this.invalidFrames.hit();
    if (count > invalidFrameLimit) {
      this.log.warn({ ip: this.deps.ip, count, code: 'INVALID_FLOOD' }, 'buyer socket sends only invalid frames; closing it');
      this.fail('INVALID_FLOOD', undefined, true);
      return;
    }
    this.sendError(code, `${ERRORS[code].message}: ${detail}`);
  }

  /**
   * New anonymous sessions are counted per address (NEW_SESSIONS_PER_IP per
   * SESSION_WINDOW_MS): a hello with a resume token is a reconnect and is not counted unless
   * it turns out to start a new session. Returns false (and closes) when over the limit.
   */
  private async admitNewSession(hello: HelloFrame, verified: boolean): Promise<boolean> {
    if (verified || hello.resumeToken) return true;
    return this.countNewSession();
  }

  private async countNewSession(): Promise<boolean> {
    const { newSessionsPerIp, sessionWindowMs } = this.deps.limits.abuse;
    const ip = this.deps.ip ?? 'unknown';
    const rate = await this.deps.store.hit(`rate:sessions:${ip}`, sessionWindowMs, newSessionsPerIp);
    if (rate.allowed) return true;
    this.log.warn({ ip, count: rate.count, code: 'TOO_MANY_SESSIONS' }, 'too many new buyer sessions from one address; closing socket');
    this.fail('TOO_MANY_SESSIONS', undefined, true);
    return false;
  }

  /** Opens or resumes the session, subscribes, then sends welcome and everything after lastSeq. */
  private async open(hello: HelloFrame): Promise<void> {
    try {
      const shopBuyerId = this.verifiedShopBuyer(hello);
      if (!(await this.admitNewSession(hello, shopBuyerId !== undefined))) return;
      const { session, conversation, resumed } = await this.deps.conversations.openSession({
        channel: WIDGET_CHANNEL,
        ...(shopBuyerId ? { shopBuyerId } : {}),
        ...(hello.buyerId ? { buyerId: hello.buyerId } : {}),
        ...(hello.resumeToken ? { resumeToken: hello.resumeToken } : {}),
        ...(hello.productId ? { productId: hello.productId } : {}),
      });
      if (!resumed && !shopBuyerId && hello.resumeToken && !(await this.countNewSession())) return;
      if (this.closed) return;
      this.buyerId = session.buyerId;
      this.conversationId = session.conversationId;
      // Subscribe before reading the log, so nothing published in between is missed.
      const stop = await this.deps.fanout.listen(session.conversationId, (ev) => this.onEvent(ev));
      if (this.closed) {
        stop();
        return;
      }
      this.stopListening = stop;
      const lastStored = await this.deps.store.lastSeq(session.conversationId);
      // A client's lastSeq only counts for the conversation it resumed; a new one replays from the start.
      this.deliveredSeq = resumed ? Math.min(hello.lastSeq ?? 0, lastStored) : 0;
      this.send({
        type: 'welcome',
        buyerId: session.buyerId,
        resumeToken: session.resumeToken,
        conversationId: session.conversationId,
        status: conversation.status,
        resumed,
        lastSeq: lastStored,
        limits: { maxTextLength: this.deps.limits.maxTextLength },
      });
      this.log.info({ buyerId: session.buyerId, conversationId: session.conversationId, resumed }, 'buyer session opened');
      this.enqueue(() => this.catchUp());
    } catch (err) {
      this.log.error({ err }, 'could not open buyer session');
      this.fail('STORE_UNAVAILABLE', undefined, true);
    }
  }

  /**
   * The shop buyer id of the hello when its signature verifies. Otherwise (a wrong or missing
   * half) the buyer is told BAD_BUYER_SIGNATURE and continues anonymously: never as that buyer.
   */
  private verifiedShopBuyer(hello: HelloFrame): string | undefined {
    const { shopBuyerId, shopBuyerSig } = hello;
    if (shopBuyerId === undefined && shopBuyerSig === undefined) return undefined;
    if (shopBuyerId !== undefined && shopBuyerSig !== undefined && verifyShopBuyer(this.deps.shopSecret, shopBuyerId, shopBuyerSig)) {
      return shopBuyerId;
    }
    this.log.warn({ shopBuyerId }, 'shop buyer signature rejected; continuing as an anonymous buyer');
    this.sendError('BAD_BUYER_SIGNATURE');
    return undefined;
  }

  private async onMessage(clientId: string, rawText: string): Promise<void> {
    // Refused before a session is opened for it (empty, too long, shutting down).
    const checked = this.deps.inbox.checkText(rawText);
    if (!checked.ok) {
      this.refuse(checked, clientId);
      return;
    }
    // A message before hello opens a conversation, as if hello had been sent without ids.
    if (!this.opening) this.opening = this.open({ type: 'hello' });
    await this.opening;
    const conversationId = this.conversationId;
    const buyerId = this.buyerId;
    if (!conversationId || !buyerId || this.closed) return;

    try {
      this.pending.add(clientId);
      const received = await this.deps.inbox.receiveText(
        { conversationId, buyerId, signed: buyerId.startsWith(SIGNED_PREFIX), ...(this.deps.ip !== undefined ? { ip: this.deps.ip } : {}) },
        clientId,
        checked.text,
      );
      if (!received.ok) {
        this.pending.delete(clientId);
        if (!this.closing) this.refuse(received, clientId);
        return;
      }
      const { stored } = received;
      this.enqueue(() => this.deliverOwn(stored));
    } catch (err) {
      this.pending.delete(clientId);
      this.log.error({ err, conversationId }, 'could not store buyer message');
      this.sendError('STORE_UNAVAILABLE', undefined, clientId);
    }
  }

  /** A refusal of the inbox as an error frame; a flood closes the socket. */
  private refuse(refusal: Refusal, clientId: string): void {
    if (refusal.flood) {
      this.log.warn({ buyerId: this.buyerId, ip: this.deps.ip, code: refusal.code }, 'buyer flood; closing socket');
      this.fail(refusal.code, refusal.message, true, clientId);
      return;
    }
    this.sendError(refusal.code, refusal.message, clientId);
  }

  private async onTyping(): Promise<void> {
    const now = Date.now();
    if (!this.conversationId || now - this.lastTypingAt < TYPING_INTERVAL_MS) return;
    this.lastTypingAt = now;
    await this.deps.conversations
      .publish({ kind: 'typing', conversationId: this.conversationId, from: 'buyer' })
      .catch((err: unknown) => this.log.debug({ err }, 'typing not published'));
  }

  private onEvent(event: ConversationEvent): void {
    switch (event.kind) {
      case 'message':
        this.enqueue(() => this.deliverFromBus(event.message));
        return;
      case 'handoff': {
        const handoff = { status: event.status, ...(event.agentName ? { agentName: event.agentName } : {}) };
        this.enqueue(async () => this.deliver({ kind: 'handoff', conversationId: event.conversationId, handoff }));
        return;
      }
      case 'typing':
        if (event.from !== 'buyer') this.send({ type: 'typing', from: event.from });
        return;
      case 'turn':
        return;
    }
  }

  /** The ack for our own message, in seq order with everything else. */
  private async deliverOwn(stored: StoredMessage): Promise<void> {
    if (!stored.clientId || !this.pending.has(stored.clientId)) return; // already acked by a catch-up
    if (stored.seq <= this.deliveredSeq) {
      // A resend of a message stored before (e.g. after a reconnect): acknowledge again.
      this.pending.delete(stored.clientId);
      this.send({ type: 'ack', id: stored.clientId, seq: stored.seq });
      return;
    }
    if (stored.seq === this.deliveredSeq + 1) this.deliverStored(stored);
    else await this.catchUp();
  }

  private async deliverFromBus(message: StoredMessage): Promise<void> {
    if (message.seq <= this.deliveredSeq) return;
    if (message.seq === this.deliveredSeq + 1) this.deliverStored(message);
    else await this.catchUp();
  }

  /** Delivers everything stored after deliveredSeq (resume, gaps). */
  private async catchUp(): Promise<void> {
    const conversationId = this.conversationId;
    if (!conversationId) return;
    for (;;) {
      if (this.closed) return;
      const page = await this.deps.store.messagesAfter(conversationId, this.deliveredSeq, REPLAY_PAGE);
      for (const m of page) if (m.seq > this.deliveredSeq) this.deliverStored(m);
      if (page.length < REPLAY_PAGE) return;
    }
  }

  /** The next message in seq order: acknowledged when it is this socket's own, else delivered as the buyer may see it. */
  private deliverStored(m: StoredMessage): void {
    this.deliveredSeq = m.seq;
    if (m.from === 'buyer' && m.clientId && this.pending.delete(m.clientId)) {
      this.send({ type: 'ack', id: m.clientId, seq: m.seq });
      return;
    }
    const message = toOutbound(m); // null for an internal note
    if (message) this.deliver({ kind: 'message', message });
  }

  /** Channel: an outbound event as a frame. */
  deliver(event: OutboundEvent): void {
    if (event.kind === 'message') this.send(toMessageFrame(event.message));
    else this.send({ type: 'handoff', ...event.handoff });
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => {
      this.log.error({ err, conversationId: this.conversationId }, 'delivery to buyer failed');
    });
  }

  private send(frame: ServerFrame): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.corkUntilNextTurn();
    this.ws.send(encodeFrame(frame));
  }

  /**
   * Frames sent in one turn of the event loop (an ack and the bot's reply often are) leave in
   * one write to the socket instead of one system call each: the TCP socket is corked until
   * the next turn. Nothing waits longer than that turn.
   */
  private corkUntilNextTurn(): void {
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (this.corked || !socket) return;
    this.corked = true;
    socket.cork();
    setImmediate(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  private sendError(code: ErrorCode, message?: string, id?: string): void {
    // Error replies are rate-limited: a client flooding bad frames and not reading must not fill our memory.
    if (this.errorReplies.hit() > this.deps.limits.abuse.errorRepliesPerWindow) return;
    this.send({ type: 'error', code, message: message ?? ERRORS[code].message, ...(id ? { id } : {}) });
  }

  /** Sends the error, then closes with the code's close code when `close` is set. */
  private fail(code: ErrorCode, message: string | undefined, close: boolean, id?: string): void {
    if (this.closing) return;
    this.sendError(code, message, id);
    if (!close) return;
    this.closing = true;
    this.stopTimer();
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(ERRORS[code].close, code);
  }

  /**
   * Delivers everything stored so far (shutdown: the last bot replies may still be on the
   * Bus when the turn finishes) and resolves when the frames are written.
   */
  async flush(): Promise<void> {
    this.enqueue(() => this.catchUp());
    await this.chain;
  }

  private onClose(): void {
    this.closed = true;
    this.stopTimer();
    this.stopListening?.();
    this.stopListening = null;
  }
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Outbound message → wire frame. */
export function toMessageFrame(m: OutboundMessage): OutMessageFrame {
  return {
    type: 'message',
    from: m.from,
    text: m.text,
    seq: m.seq,
    at: m.at,
    ...(m.clientId ? { id: m.clientId } : {}),
    ...(m.quickReplies ? { quickReplies: m.quickReplies } : {}),
    ...(m.agentName ? { agentName: m.agentName } : {}),
    ...(m.file ? { file: { ...m.file, url: fileUrl(m.file.id) } } : {}),
  };
}

/** A live buyer socket, as the app sees it at shutdown. */
export interface BuyerSocketHandle {
  /** Sends whatever is stored and not yet delivered. */
  flush(): Promise<void>;
}

/** Handles one buyer socket until it closes. */
export function handleBuyerSocket(ws: WebSocket, deps: BuyerSocketDeps, log: Logger): BuyerSocketHandle {
  const connection = new BuyerConnection(ws, deps, log);
  connection.start();
  return connection;
}
