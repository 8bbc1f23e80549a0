/**
 * The agent socket (/ws/agent): authenticates the console with an agent token, turns its
 * JSON frames into calls on the handoff's pieces (src/handoff/compose.ts) and delivers back
 * everything an agent must see. Two sources feed it, both through the Bus so the agent may
 * sit on any instance:
 *  - AGENT_CHANNEL frames from the handoff (assigned conversation, released, queue row
 *    changes, agents, SLA warnings, notes), routed here to the agent's local sockets; the
 *    whole queue is sent here once on connect and on `refresh`;
 *  - the conversation channels of the chats the agent holds (buyer messages, fresh
 *    understanding and suggestions, typing), via the shared ConversationFanout.
 * A bad token is closed with 1008 before any frame is sent. Invalid frames get rate-limited
 * error replies, and a socket that sends only invalid frames is closed with INVALID_FLOOD,
 * as on the buyer socket (./invalid-frames).
 */
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import { AppError, ERRORS, isAppError, type ErrorCode } from '../errors';
import { displayNameOf, type AgentDef, type AgentRegistry } from '../handoff/agents';
import { RESOLUTIONS } from '../handoff/actions';
import type { Handoff } from '../handoff/compose';
import { AGENT_CHANNEL, type AgentBusMessage } from '../handoff/publish';
import type { Limits } from '../config';
import type { Store } from '../store/types';
import { conversationChannel, type ConversationEvent } from '../conversation/events';
import type { ConversationFanout } from '../conversation/fanout';
import type { Logger } from './logger';
import { fileFrameOf } from '../files/frame';
import { InvalidFrameGuard } from './invalid-frames';

/** Agent typing indicators are forwarded at most this often per conversation (as the buyer's). */
const TYPING_GAP_MS = 2000;

/** Agent → server frames. */
const conversationId = z.string().min(1).max(120);
const agentFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message'),
    conversationId,
    text: z.string().trim().min(1).max(2000),
    id: z.string().min(1).max(100).optional(),
    /** Index of the suggestion the agent started from (sent as is or edited). */
    suggestionIndex: z.number().int().min(0).max(9).optional(),
  }),
  z.object({ type: z.literal('presence'), status: z.enum(['online', 'away', 'offline']), id: z.string().max(100).optional() }),
  z.object({ type: z.literal('pick'), conversationId, id: z.string().max(100).optional() }),
  z.object({
    type: z.literal('transfer'),
    conversationId,
    toAgentId: z.string().min(1).max(40).optional(),
    id: z.string().max(100).optional(),
  }),
  z.object({ type: z.literal('return_to_bot'), conversationId, id: z.string().max(100).optional() }),
  z.object({ type: z.literal('close'), conversationId, resolution: z.enum(RESOLUTIONS), id: z.string().max(100).optional() }),
  z.object({ type: z.literal('note'), conversationId, text: z.string().trim().min(1).max(2000), id: z.string().max(100).optional() }),
  z.object({ type: z.literal('refresh'), conversationId: conversationId.optional(), id: z.string().max(100).optional() }),
  /** The agent is composing in a conversation they hold; the buyer's widget shows it (throttled, no ack). */
  z.object({ type: z.literal('typing'), conversationId }),
]);
export type AgentClientFrame = z.infer<typeof agentFrame>;

/** Reads the agent token from `?token=` or `Authorization: Bearer …`. */
export function tokenFrom(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return url.searchParams.get('token') ?? undefined;
}

export interface AgentSocketDeps {
  store: Store;
  agents: AgentRegistry;
  handoff: Handoff;
  fanout: ConversationFanout;
  logger: Logger;
  /** How long an agent may be disconnected (page reload, flaky Wi-Fi) before counting as offline. */
  disconnectGraceMs: number;
  isShuttingDown: () => boolean;
  /** The shop's UTC offset, sent in hello so the console shows times as the shop's clock reads. */
  shopUtcOffsetMinutes?: number;
  /** The rate window and the abuse limits (invalid frames, error replies) shared with the buyer socket. */
  limits: Pick<Limits, 'rateLimitWindowMs' | 'abuse'>;
}

/** Local consoles on this instance, and the one AGENT_CHANNEL subscription feeding them. */
export class AgentSockets {
  private readonly byAgent = new Map<string, Set<AgentConnection>>();
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(private readonly deps: AgentSocketDeps) {}

  /** Subscribes to AGENT_CHANNEL; resolves once frames published from now on arrive. */
  async start(): Promise<void> {
    this.unsubscribe = await this.deps.store.subscribe(AGENT_CHANNEL, (payload) => this.route(payload));
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Takes a freshly upgraded socket: refuse or start the connection. */
  accept(ws: WebSocket, req: IncomingMessage, url: URL, ip?: string): void {
    const agent = this.deps.agents.authenticate(tokenFrom(req, url));
    if (!agent) {
      // Nothing is sent before this: no hello, no queue, no conversation.
      ws.close(ERRORS.UNAUTHORIZED.close, 'UNAUTHORIZED');
      return;
    }
    if (this.deps.isShuttingDown()) {
      ws.close(ERRORS.SHUTTING_DOWN.close, 'SHUTTING_DOWN');
      return;
    }
    const conn = new AgentConnection(ws, agent, this.deps, this.deps.logger.child({ agentId: agent.id, ...(ip ? { ip } : {}) }));
    let set = this.byAgent.get(agent.id);
    if (!set) {
      set = new Set();
      this.byAgent.set(agent.id, set);
    }
    set.add(conn);
    ws.on('close', () => {
      const s = this.byAgent.get(agent.id);
      s?.delete(conn);
      conn.stop();
      if (s && s.size === 0) {
        this.byAgent.delete(agent.id);
        if (!this.deps.isShuttingDown()) {
          this.deps.handoff.presence
            .agentDisconnected(agent.id, this.deps.disconnectGraceMs)
            .catch((err: unknown) => this.deps.logger.error({ err, agentId: agent.id }, 'could not record agent disconnect'));
        }
      }
    });
    conn.start();
  }

  private route(payload: unknown): void {
    if (typeof payload !== 'object' || payload === null) return;
    const msg = payload as Partial<AgentBusMessage>;
    if (typeof msg.to !== 'string' || typeof msg.frame !== 'object' || msg.frame === null) return;
    const targets = msg.to === '*' ? [...this.byAgent.values()].flatMap((s) => [...s]) : [...(this.byAgent.get(msg.to) ?? [])];
    for (const conn of targets) conn.deliver(msg.frame);
  }

  /** Agents with at least one console on this instance. */
  get connectedAgents(): string[] {
    return [...this.byAgent.keys()];
  }
}

/** One console socket of one agent. */
class AgentConnection {
  /** Conversation id → stop listening to its channel. */
  private readonly watching = new Map<string, Promise<() => void>>();
  private closed = false;
  /**
   * Frames are handled one at a time, in arrival order, and only after init: init marks the
   * agent online asynchronously, so a presence frame sent right after connecting ("away")
   * handled meanwhile would be overwritten by that "online".
   */
  private frames: Promise<void> = Promise.resolve();
  private readonly invalid: InvalidFrameGuard;
  /** Set once this side closes for a flood of invalid frames: later frames are ignored. */
  private closing = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly agent: AgentDef,
    private readonly deps: AgentSocketDeps,
    private readonly log: Logger,
  ) {
    const { rateLimitWindowMs, abuse } = deps.limits;
    this.invalid = new InvalidFrameGuard({
      windowMs: rateLimitWindowMs,
      invalidFrameLimit: abuse.invalidFrameLimit,
      errorRepliesPerWindow: abuse.errorRepliesPerWindow,
    });
  }

  start(): void {
    this.frames = this.init().catch((err: unknown) => this.reportError(err));
    this.ws.on('message', (data: RawData, isBinary: boolean) => {
      if (this.closing || this.closed) return;
      // Parsed at once, not in the frame chain: a flood of garbage never queues work.
      const parsed = isBinary ? { ok: false as const, code: 'BINARY_FRAME' as const, message: undefined } : parseAgentFrame(rawToString(data));
      if (!parsed.ok) {
        this.onInvalidFrame(parsed.code, parsed.message);
        return;
      }
      this.invalid.onValid();
      const frame = parsed.frame;
      this.frames = this.frames.then(() => this.onFrame(frame)).catch((err: unknown) => this.reportError(err));
    });
    this.ws.on('error', (err) => this.log.debug({ err }, 'agent socket error'));
  }

  private async init(): Promise<void> {
    const { handoff } = this.deps;
    this.send({
      type: 'hello',
      agent: { id: this.agent.id, name: displayNameOf(this.agent), maxChats: this.agent.maxChats },
      colleagues: this.deps.agents.list().map((a) => ({ id: a.id, name: displayNameOf(a) })),
      resolutions: RESOLUTIONS,
      serverTime: Date.now(),
      ...(this.deps.shopUtcOffsetMinutes !== undefined ? { shopUtcOffsetMinutes: this.deps.shopUtcOffsetMinutes } : {}),
    });
    const [queue, agents, held] = await Promise.all([
      handoff.views.queueView(),
      handoff.views.agentsView(),
      handoff.views.assignments(this.agent.id),
    ]);
    this.send({ type: 'agents', agents });
    this.send({ type: 'queue', queue, serverTime: Date.now() });
    for (const id of held) await this.sendConversation(id);
    // Coming online may assign queued chats; those arrive as conversation frames on the Bus.
    await handoff.presence.agentConnected(this.agent.id);
  }

  private async sendConversation(id: string): Promise<void> {
    await this.watch(id);
    const frame = await this.deps.handoff.views.conversationFrame(id);
    if (frame) this.send(frame);
  }

  /** A frame from the handoff service for this agent (or everyone). */
  deliver(frame: AgentBusMessage['frame']): void {
    if (this.closed) return;
    if (frame.type === 'conversation') {
      // Listen before forwarding so no buyer message between the two is missed.
      void this.watch(frame.conversation.id).then(() => this.send(frame));
      return;
    }
    if (frame.type === 'released') this.unwatch(frame.conversationId);
    this.send(frame);
  }

  private watch(conversationId: string): Promise<unknown> {
    let w = this.watching.get(conversationId);
    if (!w) {
      w = this.deps.fanout.listen(conversationId, (event) => this.onConversationEvent(event));
      this.watching.set(conversationId, w);
    }
    return w;
  }

  private unwatch(conversationId: string): void {
    const w = this.watching.get(conversationId);
    this.watching.delete(conversationId);
    void w?.then((stop) => stop());
  }

  private onConversationEvent(event: ConversationEvent): void {
    switch (event.kind) {
      case 'message': {
        const m = event.message;
        this.send({
          type: 'message',
          conversationId: event.conversationId,
          message: { seq: m.seq, from: m.from, text: m.text, at: m.at, ...(m.agentId ? { agentId: m.agentId } : {}), ...fileFrameOf(m) },
        });
        return;
      }
      case 'turn':
        this.send({
          type: 'turn',
          conversationId: event.conversationId,
          seq: event.seq,
          intent: event.intent,
          category: event.category,
          confidence: event.confidence,
          entities: event.entities,
          suggestions: event.suggestions.slice(0, 3),
        });
        return;
      case 'typing':
        if (event.from === 'buyer') this.send({ type: 'typing', conversationId: event.conversationId });
        return;
      case 'handoff':
        return; // the handoff service tells agents itself (conversation / released frames)
      case 'acts':
        this.send({ type: 'acts', conversationId: event.conversationId, acts: event.acts });
        return;
    }
  }

  /** An invalid frame: answered (rate-limited), or the socket closed once it sends nothing else. */
  private onInvalidFrame(code: ErrorCode, message?: string): void {
    if (this.invalid.onInvalid() === 'close') {
      this.closing = true;
      this.log.warn({ code: 'INVALID_FLOOD' }, 'agent socket sends only invalid frames; closing it');
      this.sendError('INVALID_FLOOD');
      if (this.ws.readyState === this.ws.OPEN) this.ws.close(ERRORS.INVALID_FLOOD.close, 'INVALID_FLOOD');
      return;
    }
    this.sendError(code, message);
  }

  private async onFrame(f: AgentClientFrame): Promise<void> {
    const { handoff } = this.deps;
    const me = this.agent.id;
    if (f.type === 'typing') {
      await this.forwardTyping(f.conversationId);
      return;
    }
    try {
      switch (f.type) {
        case 'message': {
          const stored = await handoff.actions.sendMessage(me, f.conversationId, f.text, {
            ...(f.id ? { clientId: `${me}:${f.id}` } : {}),
            ...(f.suggestionIndex !== undefined ? { suggestionIndex: f.suggestionIndex } : {}),
          });
          this.send({ type: 'ack', id: f.id ?? null, conversationId: f.conversationId, seq: stored.seq });
          return;
        }
        case 'presence':
          await handoff.presence.setPresence(me, f.status);
          break;
        case 'pick':
          await handoff.routing.pick(me, f.conversationId);
          break;
        case 'transfer':
          await handoff.routing.transfer(me, f.conversationId, f.toAgentId);
          break;
        case 'return_to_bot':
          await handoff.actions.returnToBot(me, f.conversationId);
          break;
        case 'close':
          await handoff.actions.close(me, f.conversationId, f.resolution);
          break;
        case 'note':
          await handoff.actions.addNote(me, f.conversationId, f.text);
          break;
        case 'refresh':
          if (f.conversationId) {
            const held = await handoff.views.assignments(me);
            if (!held.includes(f.conversationId)) throw new AppError('FORBIDDEN', 'You do not hold this conversation');
            await this.sendConversation(f.conversationId);
          } else {
            this.send({ type: 'queue', queue: await handoff.views.queueView(), serverTime: Date.now() });
          }
          break;
      }
      this.send({ type: 'ack', id: f.id ?? null, action: f.type });
    } catch (err) {
      if (isAppError(err)) this.sendError(err.code, err.message, f.id);
      else throw err;
    }
  }

  /** Last typing forwarded per conversation (epoch ms): at most one every TYPING_GAP_MS. */
  private readonly typingSent = new Map<string, number>();

  /** Tells the buyer the agent is typing, for a conversation this agent holds. */
  private async forwardTyping(conversationId: string): Promise<void> {
    const now = Date.now();
    const last = this.typingSent.get(conversationId);
    if (last !== undefined && now - last < TYPING_GAP_MS) return;
    this.typingSent.set(conversationId, now);
    if (!(await this.deps.handoff.views.assignments(this.agent.id)).includes(conversationId)) return;
    await this.deps.store.publish(conversationChannel(conversationId), { kind: 'typing', conversationId, from: 'agent' });
  }

  private reportError(err: unknown): void {
    this.log.error({ err }, 'agent frame failed');
    this.sendError('INTERNAL');
  }

  private sendError(code: ErrorCode, message?: string, id?: string): void {
    // Rate-limited: a client flooding bad frames and not reading must not fill our memory.
    if (!this.invalid.mayReply()) return;
    this.send({ type: 'error', code, message: message ?? ERRORS[code].message, ...(id ? { id } : {}) });
  }

  private send(frame: object): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
  }

  stop(): void {
    this.closed = true;
    for (const id of [...this.watching.keys()]) this.unwatch(id);
  }
}

const KNOWN_TYPES = new Set(['message', 'presence', 'pick', 'transfer', 'return_to_bot', 'close', 'note', 'refresh', 'typing']);

/** Text → a typed agent frame, or the error code and message to answer it with. */
function parseAgentFrame(text: string): { ok: true; frame: AgentClientFrame } | { ok: false; code: ErrorCode; message?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'BAD_JSON' };
  }
  const parsed = agentFrame.safeParse(json);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) return { ok: false, code: 'UNKNOWN_TYPE', message: `Unknown frame type ${String(type)}` };
  return { ok: false, code: 'BAD_FRAME', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
