/**
 * Hardening defaults (issue 15): /metrics is closed unless METRICS_PUBLIC=true or a
 * METRICS_TOKEN is shown, and sockets refuse pages from origins not allowed.
 */
import { TestClient } from '../transport/harness';
import { startAgentServer, TOKENS } from './agent-helpers';

describe('/metrics access', () => {
  it('is closed by default, even to an agent token', async () => {
    const s = await startAgentServer();
    try {
      expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKENS.xiaomei}` } })).status).toBe(401);
    } finally {
      await s.stop();
    }
  });

  it('is open with METRICS_PUBLIC=true', async () => {
    const s = await startAgentServer({ env: { METRICS_PUBLIC: 'true' } });
    try {
      const res = await fetch(`${s.url}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/kefu_handoff_queue_length 0/);
    } finally {
      await s.stop();
    }
  });
});

describe('socket origins', () => {
  it('lets the server’s own pages, listed origins and non-browser clients in, and refuses other pages on both sockets', async () => {
    const s = await startAgentServer({ env: { ALLOWED_ORIGINS: 'https://shop.example.com' } });
    const host = new URL(s.url).host;
    try {
      for (const origin of [undefined, `http://${host}`, 'https://shop.example.com']) {
        const c = await TestClient.open(s.wsUrl, origin ? { origin } : {});
        expect(await c.hello()).toMatchObject({ type: 'welcome' });
        await c.close();
      }
      const evil = await TestClient.open(s.wsUrl, { origin: 'https://evil.example' });
      expect(await evil.nextType('error')).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' });
      expect((await evil.waitClosed()).code).toBe(1008);
      const agentEvil = await TestClient.open(s.agentUrl(TOKENS.xiaomei), { origin: 'https://evil.example' });
      expect(await agentEvil.nextType('error')).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' });
      expect(s.logs.some((l) => l['origin'] === 'https://evil.example')).toBe(true);
    } finally {
      await s.stop();
    }
  });
});
