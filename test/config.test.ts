import { loadConfig } from '../src/config';
import { AppError } from '../src/errors';

function configError(env: Record<string, string>): AppError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected loadConfig to refuse');
}

describe('loadConfig', () => {
  it('starts with defaults on an empty environment: port 3000 on 127.0.0.1, embedded store in ./data', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.redisUrl).toBeUndefined();
    expect(c.dataDir).toBe('./data');
    expect(c.limits.maxFrameBytes).toBe(8192);
  });

  it('generates distinct demo tokens per start when none are configured, never fixed ones', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.generatedTokens).toBe(true);
    expect(a.agents.length).toBeGreaterThan(1);
    expect(a.agents[0]?.token).not.toBe(b.agents[0]?.token);
    expect(a.managers[0]?.token).not.toBe(b.managers[0]?.token);
  });

  it('keeps /metrics closed unless METRICS_PUBLIC=true or METRICS_TOKEN is set, and refuses a short token', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({}).metricsPublic).toBe(false);
    expect(loadConfig({ METRICS_PUBLIC: 'true' }).metricsPublic).toBe(true);
    expect(loadConfig({ METRICS_TOKEN: 'm'.repeat(20) }).metricsToken).toBe('m'.repeat(20));
    expect(configError({ METRICS_TOKEN: 'short' }).message).toMatch(/METRICS_TOKEN.*at least 16/);
  });

  it('generates a shop secret per start unless SHOP_SECRET is set, and refuses a short one', () => {
    const a = loadConfig({});
    expect(a.generatedShopSecret).toBe(true);
    expect(a.shopSecret.length).toBeGreaterThanOrEqual(32);
    expect(a.shopSecret).not.toBe(loadConfig({}).shopSecret);
    const set = loadConfig({ SHOP_SECRET: 'k'.repeat(40) });
    expect(set).toMatchObject({ shopSecret: 'k'.repeat(40), generatedShopSecret: false });
    expect(configError({ SHOP_SECRET: 'short' }).message).toMatch(/SHOP_SECRET: must be at least 32 characters/);
    expect(configError({ SHOP_SECRET: `${'k'.repeat(40)} x` }).message).toMatch(/SHOP_SECRET: printable ASCII/);
  });

  it('parses agents with capacity and skills, managers, and cluster nodes', () => {
    const c = loadConfig({
      AGENT_TOKENS: 'xiaomei:tok-1111:3:after_sale|haggle, ajie:tok-2222',
      MANAGER_TOKENS: 'boss:mgr-3333',
      REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001',
      PORT: '0',
    });
    expect(c.agents).toEqual([
      { id: 'xiaomei', token: 'tok-1111', maxChats: 3, skills: ['after_sale', 'haggle'] },
      { id: 'ajie', token: 'tok-2222', maxChats: 5, skills: [] },
    ]);
    expect(c.managers).toEqual([{ id: 'boss', token: 'mgr-3333' }]);
    expect(c.redisClusterNodes).toEqual([
      { host: '127.0.0.1', port: 7000 },
      { host: '127.0.0.1', port: 7001 },
    ]);
    expect(c.generatedTokens).toBe(false);
    expect(c.port).toBe(0);
  });

  it('refuses bad values with one message naming every bad variable', () => {
    const err = configError({ PORT: 'eighty', REDIS_URL: 'localhost:6379', MAX_FRAME_BYTES: '10', LOG_LEVEL: 'loud' });
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toMatch(/PORT: PORT must be a whole number/);
    expect(err.message).toMatch(/REDIS_URL: must start with redis:\/\//);
    expect(err.message).toMatch(/MAX_FRAME_BYTES: MAX_FRAME_BYTES must be at least 256/);
    expect(err.message).toMatch(/LOG_LEVEL/);
  });

  it('refuses an out-of-range port and malformed token lists', () => {
    expect(configError({ PORT: '70000' }).message).toMatch(/PORT must be at most 65535/);
    expect(configError({ AGENT_TOKENS: 'xiaomei' }).message).toMatch(/AGENT_TOKENS: entry "xiaomei:…"/);
    expect(configError({ REDIS_CLUSTER_NODES: 'nohostport' }).message).toMatch(/REDIS_CLUSTER_NODES: "nohostport" must look like host:port/);
    expect(configError({ AGENT_TOKENS: 'a:same-tok', MANAGER_TOKENS: 'b:same-tok' }).message).toMatch(/unique/);
  });

  it('does not echo token values in its error messages', () => {
    const err = configError({ AGENT_TOKENS: 'xiaomei:secret-value:0' });
    expect(err.message).not.toContain('secret-value');
  });

  it('reads the agent presence lease, and refuses a renewal interval above half the lease', () => {
    expect(loadConfig({}).presence).toEqual({ leaseMs: 30_000, renewMs: 10_000, awayGraceMs: 120_000 });
    expect(loadConfig({ PRESENCE_LEASE_MS: '3000', PRESENCE_RENEW_MS: '500' }).presence).toEqual({
      leaseMs: 3000,
      renewMs: 500,
      awayGraceMs: 120_000,
    });
    expect(configError({ PRESENCE_LEASE_MS: '3000', PRESENCE_RENEW_MS: '2000' }).message).toMatch(
      /PRESENCE_RENEW_MS: must be at most half of PRESENCE_LEASE_MS/,
    );
    expect(configError({ PRESENCE_LEASE_MS: '50' }).message).toMatch(/PRESENCE_LEASE_MS must be at least 1000/);
  });

  it('reads the away grace, and refuses a negative one', () => {
    expect(loadConfig({ AWAY_GRACE_MS: '0' }).presence.awayGraceMs).toBe(0);
    expect(loadConfig({ AWAY_GRACE_MS: '60000' }).presence.awayGraceMs).toBe(60_000);
    expect(configError({ AWAY_GRACE_MS: '-1' }).message).toMatch(/AWAY_GRACE_MS/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '  ' }).port).toBe(3000);
  });
});
