/**
 * What the buyer is told when nobody can take the conversation, and how the server logs a
 * console request without a token (real server, real engine and scripts; see agent-helpers).
 */
import { TestClient, type Frame } from '../transport/harness';
import { TOKENS, say, startAgentServer, type AgentServer } from './agent-helpers';

const isBot = (f: Frame) => f.type === 'message' && f['from'] === 'bot';
const NOBODY = /客服暂时不在线|人工客服都不在/;

describe('queued with no agent online', () => {
  let s: AgentServer;
  beforeEach(async () => {
    s = await startAgentServer({ env: { LOG_LEVEL: 'info' } });
  });
  afterEach(async () => {
    await s.stop();
  });

  it('the buyer is told nobody is online instead of "马上", once, and an agent who comes online gets the chat', async () => {
    const buyer = await s.buyer();
    await say(buyer, '我要人工');
    const notice = await buyer.next((f) => isBot(f) && NOBODY.test(String(f['text'])), 'no-agent notice');
    // Either variant of system.no_agent: the question is kept for when someone is back.
    expect(String(notice['text'])).toMatch(/登记|记录/);
    await say(buyer, '在吗');
    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    await xiaomei.next((f) => f.type === 'conversation', 'conversation assigned');
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'assigned', 'assigned');
    // Asking again while queued did not repeat the notice.
    expect(buyer.frames.filter((f) => isBot(f) && NOBODY.test(String(f['text'])))).toHaveLength(1);
    await xiaomei.close();
    await buyer.close();
  });

  it('with an agent online the buyer gets only the usual handoff notice', async () => {
    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    await xiaomei.nextType('hello');
    const buyer = await s.buyer();
    await say(buyer, '我要人工');
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'assigned', 'assigned');
    expect(buyer.frames.filter((f) => isBot(f) && NOBODY.test(String(f['text'])))).toEqual([]);
    await xiaomei.close();
    await buyer.close();
  });
});

describe('console requests without a token', () => {
  it('GET /api/stats without a token is a 401 logged at info, without a stack', async () => {
    const s = await startAgentServer({ env: { LOG_LEVEL: 'info' } });
    try {
      expect((await fetch(`${s.url}/api/stats`)).status).toBe(401);
      const line = s.logs.find((l) => l['path'] === '/api/stats');
      expect(line).toMatchObject({ level: 'info', status: 401, code: 'UNAUTHORIZED' });
      expect(JSON.stringify(line)).not.toContain('stack');
      expect(s.logs.filter((l) => l['level'] === 'error')).toEqual([]);
    } finally {
      await s.stop();
    }
  });
});
