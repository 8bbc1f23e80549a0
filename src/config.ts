/**
 * Environment → typed, validated configuration. The server reads this once at start and
 * refuses to start with a message naming every bad variable, so a typo never turns into a
 * half-working server.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { AppError } from './errors';

/** An agent who may log in to the console. */
export interface AgentAccount {
  /** Stable id, also the display name in the demo (e.g. "xiaomei"). */
  id: string;
  token: string;
  /** Maximum concurrent conversations. */
  maxChats: number;
  skills: string[];
}

/** A manager who may edit and publish scripts. */
export interface ManagerAccount {
  id: string;
  token: string;
}

/** Limits enforced at the edge; every one maps to an error code in src/errors.ts. */
export interface Limits {
  /** Largest WebSocket frame accepted (ws maxPayload); bigger frames close with 1009. */
  maxFrameBytes: number;
  /** Longest buyer message text in characters (TEXT_TOO_LONG). */
  maxTextLength: number;
  /** Buyer messages allowed per window per buyer (RATE_LIMITED). */
  rateLimitMessages: number;
  rateLimitWindowMs: number;
  /** Open sockets allowed from one IP address (TOO_MANY_CONNECTIONS). */
  maxConnectionsPerIp: number;
  /** Interval between pings; a socket that missed the previous pong is dropped. */
  heartbeatMs: number;
  /** How long SIGTERM waits for in-flight messages before closing sockets anyway. */
  shutdownGraceMs: number;
  /** Lease on a conversation's bot turn, so two instances never both reply. */
  turnLockMs: number;
  /** MAX_TURNS_IN_FLIGHT: past this many bot turns in flight, buyer sockets that send wait unread (src/transport/backpressure.ts). */
  maxTurnsInFlight: number;
  /** Abuse limits (issue 15); see `AbuseLimits`. */
  abuse: AbuseLimits;
}

/**
 * What keeps one address from exhausting the server (issue 15): outbound memory per socket,
 * invalid frames, new sessions, socket timeouts, session life, and handoffs to the queue.
 */
export interface AbuseLimits {
  /** Unsent bytes a socket may hold; past it the socket is dropped with SLOW_CONSUMER. */
  maxSocketBufferBytes: number;
  /** Invalid frames per rate window (with nothing valid) before INVALID_FLOOD closes the socket. */
  invalidFrameLimit: number;
  /** Error replies a socket gets per rate window; further invalid frames are not answered. */
  errorRepliesPerWindow: number;
  /** Messages per rate window from one address, over all its anonymous buyers (default max(60, 3 × RATE_LIMIT_MESSAGES)). */
  messagesPerIp: number;
  /** New buyer sessions one address may open per `sessionWindowMs` (TOO_MANY_SESSIONS). */
  newSessionsPerIp: number;
  sessionWindowMs: number;
  /** A socket that sends no hello or message this long after connecting is closed. */
  helloTimeoutMs: number;
  /** A buyer socket that receives nothing this long is closed. */
  idleSocketTimeoutMs: number;
  /** An anonymous session whose buyer never wrote a message is removed after this long. */
  anonSessionTtlMs: number;
  /** A bot conversation with no message for this long is closed (embedded store: removed). */
  idleConversationMs: number;
  /** Handoffs one address / one buyer may queue per `handoffWindowMs` at their own priority. */
  handoffsPerIp: number;
  handoffsPerBuyer: number;
  handoffWindowMs: number;
}

/** Agent presence across instances (see src/handoff/presence.ts). */
export interface PresenceConfig {
  /** An agent whose console's instance stopped renewing counts as offline this long after the last renewal. */
  leaseMs: number;
  /** How often the instance holding an agent's console renews the lease (at most half of leaseMs). */
  renewMs: number;
  /** An agent who goes away (离开) keeps their chats this long before they move to colleagues or the queue. */
  awayGraceMs: number;
}

export interface Config {
  port: number;
  host: string;
  /** Unset means the embedded (memory + journal) store. */
  redisUrl?: string;
  /** Redis Cluster seed nodes; takes precedence over redisUrl when set. */
  redisClusterNodes?: { host: string; port: number }[];
  /** Key prefix in Redis so several deployments (or test runs) can share one server. */
  redisPrefix: string;
  dataDir: string;
  /** RETENTION_DAYS: closed conversations quiet this long are archived and removed (src/store/retention.ts); 0 keeps them. */
  retentionDays: number;
  /** Directory holding intents/ and templates/. */
  scriptsDir: string;
  /** Directory of the demo shop data. */
  shopDir: string;
  /** Shop id the demo storefront uses. */
  shopId: string;
  agents: AgentAccount[];
  managers: ManagerAccount[];
  /** True when tokens were generated at start because none were configured (demo mode). */
  generatedTokens: boolean;
  /**
   * Key of the HMAC-SHA256 a shop page signs its logged-in buyer's id with (widget
   * data-buyer / data-buyer-sig). Generated per process when SHOP_SECRET is unset.
   */
  shopSecret: string;
  /**
   * True when shopSecret was generated for this run (demo mode). Only then does the demo
   * storefront list the demo buyers with their signatures (GET /api/demo/buyers): signatures
   * made with a throw-away secret are worthless anywhere else.
   */
  generatedShopSecret: boolean;
  limits: Limits;
  presence: PresenceConfig;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Identifies this process in logs and cross-instance events. */
  instanceId: string;
  /** Which proxies' X-Forwarded-For entries to believe, so the per-IP cap counts the real client. */
  trustProxy: TrustProxy;
  /** When set, GET /metrics needs it as a bearer token (Prometheus `authorization`); unset, it is open. */
  metricsToken?: string;
  /** Redis through Sentinel (REDIS_SENTINELS); beside redisUrl and redisClusterNodes, see store/index.ts for precedence. */
  redisSentinel?: RedisSentinelConfig;
  /** The shop's system (issue 13): the demo YAML shop unless SHOP_API_URL is set. */
  shopApi?: ShopApiConfig;
  /** The signed HTTP webhook channel (docs/channels.md): on only when WEBHOOK_SECRET and WEBHOOK_CALLBACK_URL are both set. */
  webhook?: { secret: string; callbackUrl: string };
  /** Largest image a buyer or agent may upload (bytes). */
  maxUploadBytes: number;
  /** GET /metrics without a token (METRICS_PUBLIC=true); otherwise it needs metricsToken. */
  metricsPublic: boolean;
  /**
   * Origins (scheme://host[:port]) whose pages may open the sockets. Empty: the buyer socket
   * accepts its own origin (the widget served here) and clients that send no Origin; the
   * agent socket likewise.
   */
  allowedOrigins: string[];
  /** Which tokens were generated for this run (only those may be printed at start). */
  generated: { agentTokens: boolean; managerTokens: boolean };
}

/**
 * TRUST_PROXY: none (the socket peer is the client), a number of proxies in front, or the
 * proxies' addresses. See src/transport/client-address.ts for how X-Forwarded-For is read.
 */
export type TrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'cidrs'; cidrs: string[] };

/** Redis Sentinel: the sentinels to ask, the master's name, and passwords if Redis has them. */
export interface RedisSentinelConfig {
  sentinels: { host: string; port: number }[];
  name: string;
  password?: string;
  sentinelPassword?: string;
}

/** The HTTP shop adapter's settings (docs/shop-api.md). */
export interface ShopApiConfig {
  url: string;
  token?: string;
  timeoutMs: number;
  readRetries: number;
  liveTtlMs: number;
  catalogueTtlMs: number;
}

const intFrom = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

const boolFrom = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const idPattern = /^[A-Za-z0-9_-]{1,40}$/;
const tokenPattern = /^[A-Za-z0-9._~+/=-]{4,200}$/;

/** `name:token[:maxChats[:skill|skill]]`, comma separated. */
function parseAgents(value: string, ctx: z.RefinementCtx): AgentAccount[] {
  const agents: AgentAccount[] = [];
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [id = '', token = '', maxChats, skills] = part.split(':');
    const max = maxChats === undefined || maxChats === '' ? 5 : Number(maxChats);
    if (!idPattern.test(id) || !tokenPattern.test(token) || !Number.isInteger(max) || max < 1 || max > 100) {
      ctx.addIssue({
        code: 'custom',
        message: `entry "${part.split(':')[0]}:…" must look like name:token[:maxChats[:skill|skill]] (token 4+ chars, maxChats 1–100)`,
      });
      continue;
    }
    agents.push({ id, token, maxChats: max, skills: skills ? skills.split('|').filter(Boolean) : [] });
  }
  return agents;
}

function parseManagers(value: string, ctx: z.RefinementCtx): ManagerAccount[] {
  const managers: ManagerAccount[] = [];
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [id = '', token = '', ...rest] = part.split(':');
    if (!idPattern.test(id) || !tokenPattern.test(token) || rest.length > 0) {
      ctx.addIssue({ code: 'custom', message: `entry "${id}:…" must look like name:token (token 4+ chars)` });
      continue;
    }
    managers.push({ id, token });
  }
  return managers;
}

function parseNodes(value: string, ctx: z.RefinementCtx): { host: string; port: number }[] {
  const nodes: { host: string; port: number }[] = [];
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([^:\s]+):(\d{1,5})$/.exec(part);
    const port = m ? Number(m[2]) : NaN;
    if (!m || !m[1] || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `"${part}" must look like host:port` });
      continue;
    }
    nodes.push({ host: m[1], port });
  }
  if (nodes.length === 0) ctx.addIssue({ code: 'custom', message: 'needs at least one host:port' });
  return nodes;
}

const MAX_PROXY_HOPS = 10;

/** `false`/`0` (none), a hop count (`1`: one proxy in front), or comma-separated IPs/CIDRs. */
function parseTrustProxy(value: string, ctx: z.RefinementCtx): TrustProxy {
  const v = value.toLowerCase();
  if (v === 'false' || v === 'no' || v === '0') return { kind: 'none' };
  if (v === 'true' || v === 'yes') {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" no longer says which X-Forwarded-For entry to believe: give the number of proxies in front (e.g. 1) or their addresses (e.g. 10.0.0.0/8)`,
    });
    return { kind: 'none' };
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > MAX_PROXY_HOPS) ctx.addIssue({ code: 'custom', message: `a hop count must be at most ${MAX_PROXY_HOPS}` });
    return { kind: 'hops', hops };
  }
  const cidrs: string[] = [];
  let bad = 0;
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [address = '', bits, ...rest] = part.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (family === 0 || !prefixOk || rest.length > 0) {
      ctx.addIssue({ code: 'custom', message: `"${part}" must be a hop count, or IP addresses / CIDRs like 10.0.0.0/8 or fd00::/8` });
      bad++;
      continue;
    }
    cidrs.push(part);
  }
  if (cidrs.length === 0 && bad === 0) ctx.addIssue({ code: 'custom', message: 'needs a hop count or at least one address' });
  return { kind: 'cidrs', cidrs };
}

const envSchema = z.object({
  PORT: intFrom('PORT', 0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must start with redis:// or rediss://')
    .optional(),
  REDIS_CLUSTER_NODES: z.string().transform(parseNodes).optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,60}$/, 'letters, digits and : _ - only (no braces: they would become the Redis Cluster hash tag)')
    .default('kefu:'),
  DATA_DIR: z.string().min(1).default('./data'),
  RETENTION_DAYS: intFrom('RETENTION_DAYS', 0, 36_500).default(90),
  SCRIPTS_DIR: z.string().min(1).default('.'),
  SHOP_DIR: z.string().min(1).default('./demo/shop'),
  SHOP_ID: z.string().regex(idPattern, 'letters, digits, _ and - only').default('demo'),
  AGENT_TOKENS: z.string().transform(parseAgents).optional(),
  MANAGER_TOKENS: z.string().transform(parseManagers).optional(),
  SHOP_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)')
    .max(512, 'must be at most 512 characters')
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces only')
    .optional(),
  MAX_FRAME_BYTES: intFrom('MAX_FRAME_BYTES', 256, 1_048_576).default(8192),
  MAX_TEXT_LENGTH: intFrom('MAX_TEXT_LENGTH', 1, 4000).default(500),
  RATE_LIMIT_MESSAGES: intFrom('RATE_LIMIT_MESSAGES', 1, 100_000).default(20),
  RATE_LIMIT_WINDOW_MS: intFrom('RATE_LIMIT_WINDOW_MS', 100, 3_600_000).default(10_000),
  MAX_CONNECTIONS_PER_IP: intFrom('MAX_CONNECTIONS_PER_IP', 1, 1_000_000).default(20),
  HEARTBEAT_MS: intFrom('HEARTBEAT_MS', 100, 600_000).default(30_000),
  SHUTDOWN_GRACE_MS: intFrom('SHUTDOWN_GRACE_MS', 0, 120_000).default(10_000),
  TURN_LOCK_MS: intFrom('TURN_LOCK_MS', 100, 120_000).default(15_000),
  MAX_TURNS_IN_FLIGHT: intFrom('MAX_TURNS_IN_FLIGHT', 2, 1_000_000).default(400),
  PRESENCE_LEASE_MS: intFrom('PRESENCE_LEASE_MS', 1000, 600_000).default(30_000),
  PRESENCE_RENEW_MS: intFrom('PRESENCE_RENEW_MS', 100, 300_000).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INSTANCE_ID: z.string().regex(idPattern, 'letters, digits, _ and - only').optional(),
  TRUST_PROXY: z.string().transform(parseTrustProxy).default({ kind: 'none' }),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces only')
    .optional(),
  REDIS_SENTINELS: z.string().transform(parseNodes).optional(),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - only')
    .default('mymaster'),
  REDIS_PASSWORD: z.string().min(1).max(512).optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).max(512).optional(),
  SHOP_API_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'must start with http:// or https://')
    .optional(),
  SHOP_API_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{1,500}$/, 'printable ASCII without spaces only')
    .optional(),
  SHOP_API_TIMEOUT_MS: intFrom('SHOP_API_TIMEOUT_MS', 100, 60_000).default(2000),
  WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').max(512).optional(),
  WEBHOOK_CALLBACK_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'must start with http:// or https://')
    .optional(),
  SHOP_API_RETRIES: intFrom('SHOP_API_RETRIES', 0, 5).default(1),
  SHOP_API_LIVE_TTL_MS: intFrom('SHOP_API_LIVE_TTL_MS', 0, 3_600_000).default(10_000),
  SHOP_API_CATALOGUE_TTL_MS: intFrom('SHOP_API_CATALOGUE_TTL_MS', 0, 86_400_000).default(300_000),
  MAX_UPLOAD_BYTES: intFrom('MAX_UPLOAD_BYTES', 1024, 50 * 1024 * 1024).default(5 * 1024 * 1024),
  MAX_SOCKET_BUFFER_BYTES: intFrom('MAX_SOCKET_BUFFER_BYTES', 1024, 268_435_456).default(1_048_576),
  INVALID_FRAME_LIMIT: intFrom('INVALID_FRAME_LIMIT', 1, 100_000).default(20),
  ERROR_REPLIES_PER_WINDOW: intFrom('ERROR_REPLIES_PER_WINDOW', 1, 100_000).default(10),
  RATE_LIMIT_MESSAGES_PER_IP: intFrom('RATE_LIMIT_MESSAGES_PER_IP', 1, 1_000_000).optional(),
  NEW_SESSIONS_PER_IP: intFrom('NEW_SESSIONS_PER_IP', 1, 1_000_000).default(100),
  SESSION_WINDOW_MS: intFrom('SESSION_WINDOW_MS', 100, 86_400_000).default(600_000),
  HELLO_TIMEOUT_MS: intFrom('HELLO_TIMEOUT_MS', 100, 3_600_000).default(15_000),
  IDLE_SOCKET_TIMEOUT_MS: intFrom('IDLE_SOCKET_TIMEOUT_MS', 1000, 86_400_000).default(3_600_000),
  ANON_SESSION_TTL_MS: intFrom('ANON_SESSION_TTL_MS', 1000, 604_800_000).default(600_000),
  IDLE_CONVERSATION_MS: intFrom('IDLE_CONVERSATION_MS', 60_000, 2_592_000_000).default(43_200_000),
  HANDOFFS_PER_IP: intFrom('HANDOFFS_PER_IP', 1, 1_000_000).default(5),
  HANDOFFS_PER_BUYER: intFrom('HANDOFFS_PER_BUYER', 1, 1_000_000).default(3),
  HANDOFF_WINDOW_MS: intFrom('HANDOFF_WINDOW_MS', 1000, 86_400_000).default(600_000),
  METRICS_PUBLIC: boolFrom.default(false),
  ALLOWED_ORIGINS: z.string().transform(parseOrigins).optional(),
  AWAY_GRACE_MS: intFrom('AWAY_GRACE_MS', 0, 3_600_000).default(120_000),
  /** Read by src/nlu/load.ts (the CLIs use it too); validated here so a bad value stops the server. */
  NLU_CACHE_DIR: z.string().min(1, 'must be a directory or off').max(4096).optional(),
});

/** Comma-separated origins, each scheme://host[:port] exactly as a browser sends it. */
function parseOrigins(value: string, ctx: z.RefinementCtx): string[] {
  const origins: string[] = [];
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    let origin: string | undefined;
    try {
      origin = new URL(part).origin;
    } catch {
      origin = undefined;
    }
    if (!origin || origin === 'null' || origin !== part.replace(/\/$/, '')) {
      ctx.addIssue({ code: 'custom', message: `"${part}" must look like https://shop.example.com (scheme, host, optional port; no path)` });
      continue;
    }
    origins.push(origin);
  }
  return origins;
}

function demoSecret(): string {
  return randomBytes(32).toString('hex');
}

function demoToken(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Reads and validates configuration from an environment map (process.env by default).
 * Empty strings count as unset. Throws AppError('INVALID_CONFIG') whose message lists every
 * bad variable with the reason. Without AGENT_TOKENS / MANAGER_TOKENS, demo accounts get
 * random tokens for this process only (never fixed, guessable ones); likewise SHOP_SECRET.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') cleaned[key] = value.trim();
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new AppError('INVALID_CONFIG', `Invalid configuration:\n${lines.join('\n')}`, parsed.error.issues);
  }
  const e = parsed.data;
  if (e.PRESENCE_RENEW_MS * 2 > e.PRESENCE_LEASE_MS) {
    throw new AppError(
      'INVALID_CONFIG',
      `Invalid configuration:\n  PRESENCE_RENEW_MS: must be at most half of PRESENCE_LEASE_MS (${e.PRESENCE_LEASE_MS}), so one late renewal does not drop an agent`,
    );
  }
  const generatedTokens = !e.AGENT_TOKENS || !e.MANAGER_TOKENS;
  const agents = e.AGENT_TOKENS ?? [
    { id: 'xiaomei', token: demoToken(), maxChats: 5, skills: [] },
    { id: 'ajie', token: demoToken(), maxChats: 5, skills: [] },
  ];
  const managers = e.MANAGER_TOKENS ?? [{ id: 'dianzhang', token: demoToken() }];
  const tokens = [...agents.map((a) => a.token), ...managers.map((m) => m.token)];
  if (new Set(tokens).size !== tokens.length) {
    throw new AppError('INVALID_CONFIG', 'Invalid configuration:\n  AGENT_TOKENS/MANAGER_TOKENS: every token must be unique');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES,
    redisPrefix: e.REDIS_PREFIX,
    dataDir: e.DATA_DIR,
    retentionDays: e.RETENTION_DAYS,
    scriptsDir: e.SCRIPTS_DIR,
    shopDir: e.SHOP_DIR,
    shopId: e.SHOP_ID,
    agents,
    managers,
    generatedTokens,
    shopSecret: e.SHOP_SECRET ?? demoSecret(),
    generatedShopSecret: e.SHOP_SECRET === undefined,
    limits: {
      maxFrameBytes: e.MAX_FRAME_BYTES,
      maxTextLength: e.MAX_TEXT_LENGTH,
      rateLimitMessages: e.RATE_LIMIT_MESSAGES,
      rateLimitWindowMs: e.RATE_LIMIT_WINDOW_MS,
      maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      heartbeatMs: e.HEARTBEAT_MS,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      turnLockMs: e.TURN_LOCK_MS,
      maxTurnsInFlight: e.MAX_TURNS_IN_FLIGHT,
      abuse: {
        maxSocketBufferBytes: e.MAX_SOCKET_BUFFER_BYTES,
        invalidFrameLimit: e.INVALID_FRAME_LIMIT,
        errorRepliesPerWindow: e.ERROR_REPLIES_PER_WINDOW,
        messagesPerIp: e.RATE_LIMIT_MESSAGES_PER_IP ?? Math.max(60, 3 * e.RATE_LIMIT_MESSAGES),
        newSessionsPerIp: e.NEW_SESSIONS_PER_IP,
        sessionWindowMs: e.SESSION_WINDOW_MS,
        helloTimeoutMs: e.HELLO_TIMEOUT_MS,
        idleSocketTimeoutMs: e.IDLE_SOCKET_TIMEOUT_MS,
        anonSessionTtlMs: e.ANON_SESSION_TTL_MS,
        idleConversationMs: e.IDLE_CONVERSATION_MS,
        handoffsPerIp: e.HANDOFFS_PER_IP,
        handoffsPerBuyer: e.HANDOFFS_PER_BUYER,
        handoffWindowMs: e.HANDOFF_WINDOW_MS,
      },
    },
    presence: { leaseMs: e.PRESENCE_LEASE_MS, renewMs: e.PRESENCE_RENEW_MS, awayGraceMs: e.AWAY_GRACE_MS },
    logLevel: e.LOG_LEVEL,
    instanceId: e.INSTANCE_ID ?? `i-${randomBytes(4).toString('hex')}`,
    trustProxy: e.TRUST_PROXY,
    ...(e.REDIS_SENTINELS
      ? {
          redisSentinel: {
            sentinels: e.REDIS_SENTINELS,
            name: e.REDIS_SENTINEL_NAME,
            ...(e.REDIS_PASSWORD !== undefined ? { password: e.REDIS_PASSWORD } : {}),
            ...(e.REDIS_SENTINEL_PASSWORD !== undefined ? { sentinelPassword: e.REDIS_SENTINEL_PASSWORD } : {}),
          },
        }
      : {}),
    ...(e.METRICS_TOKEN !== undefined ? { metricsToken: e.METRICS_TOKEN } : {}),
    ...(e.SHOP_API_URL !== undefined
      ? {
          shopApi: {
            url: e.SHOP_API_URL,
            ...(e.SHOP_API_TOKEN !== undefined ? { token: e.SHOP_API_TOKEN } : {}),
            timeoutMs: e.SHOP_API_TIMEOUT_MS,
            readRetries: e.SHOP_API_RETRIES,
            liveTtlMs: e.SHOP_API_LIVE_TTL_MS,
            catalogueTtlMs: e.SHOP_API_CATALOGUE_TTL_MS,
          },
        }
      : {}),
    ...(e.WEBHOOK_SECRET !== undefined && e.WEBHOOK_CALLBACK_URL !== undefined
      ? { webhook: { secret: e.WEBHOOK_SECRET, callbackUrl: e.WEBHOOK_CALLBACK_URL } }
      : {}),
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    metricsPublic: e.METRICS_PUBLIC,
    allowedOrigins: e.ALLOWED_ORIGINS ?? [],
    generated: { agentTokens: !e.AGENT_TOKENS, managerTokens: !e.MANAGER_TOKENS },
  };
}

/** Every environment variable the server reads (README's configuration table and .env.example list them all). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);
