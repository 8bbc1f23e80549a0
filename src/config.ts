/**
 * Environment → typed, validated configuration. The server reads this once at start and
 * refuses to start with a message naming every bad variable, so a typo never turns into a
 * half-working server.
 */
import { randomBytes } from 'node:crypto';
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
}

/** Agent presence across instances (see src/handoff/service.ts). */
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
  /** Set behind a proxy so the per-IP cap counts the real client (X-Forwarded-For). */
  trustProxy: boolean;
  /** When set, GET /metrics needs it as a bearer token (Prometheus `authorization`); unset, it is open. */
  metricsToken?: string;
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
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
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
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
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
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
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

const envSchema = z.object({
  PORT: intFrom('PORT', 0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must start with redis:// or rediss://')
    .optional(),
  REDIS_CLUSTER_NODES: z.string().transform(parseNodes).optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,60}$/, 'letters, digits and : _ - only (no braces: they would become the Redis Cluster hash tag)').default('kefu:'),
  DATA_DIR: z.string().min(1).default('./data'),
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
  PRESENCE_LEASE_MS: intFrom('PRESENCE_LEASE_MS', 1000, 600_000).default(30_000),
  PRESENCE_RENEW_MS: intFrom('PRESENCE_RENEW_MS', 100, 300_000).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INSTANCE_ID: z.string().regex(idPattern, 'letters, digits, _ and - only').optional(),
  TRUST_PROXY: boolFrom.default(false),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces only')
    .optional(),
  AWAY_GRACE_MS: intFrom('AWAY_GRACE_MS', 0, 3_600_000).default(120_000),
});

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
    },
    presence: { leaseMs: e.PRESENCE_LEASE_MS, renewMs: e.PRESENCE_RENEW_MS, awayGraceMs: e.AWAY_GRACE_MS },
    logLevel: e.LOG_LEVEL,
    instanceId: e.INSTANCE_ID ?? `i-${randomBytes(4).toString('hex')}`,
    trustProxy: e.TRUST_PROXY,
    ...(e.METRICS_TOKEN !== undefined ? { metricsToken: e.METRICS_TOKEN } : {}),
  };
}
