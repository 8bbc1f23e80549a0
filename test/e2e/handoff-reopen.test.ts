/**
 * A buyer who writes again after an agent closed the chat (issue 10, bug 1): real server on
 * port 0, real sockets, real engine and store (see agent-helpers.ts). The conversation
 * reopens with its history, goes through the bot, and a handoff reaches an online agent.
 */
import { TestClient, type Frame } from '../transport/harness';
import { TOKENS, say, startAgentServer, type AgentServer } from './agent-helpers';

const COMPLAINT = '你们服务太差了，问题根本没解决，我要投诉！';
const isConv = (id: string) => (f: Frame) => f.type === 'conversation' && (f['conversation'] as { id: string }).id === id;
const history = (f: Frame) => (f['conversation'] as { history: { from: string; text: string }[] }).history;

async function closeAs(s: AgentServer, token: string, conversationId: string): Promise<void> {
  const res = await fetch(`${s.url}/api/agent/conversations/${conversationId}/close`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ resolution: 'resolved' }),
  });
  expect(res.status).toBe(200);
}

async function stats(s: AgentServer): Promise<{ queueLength: number }> {
  const res = await fetch(`${s.url}/api/stats`, { headers: { authorization: `Bearer ${TOKENS.ajie}` } });
  return (await res.json()) as { queueLength: number };
}

describe('a message after a close', () => {
  let s: AgentServer;
  beforeEach(async () => {
    s = await startAgentServer();
  });
  afterEach(async () => {
    await s.stop();
  });

  /** A buyer handed to xiaomei, who closes the chat. Returns the buyer socket and conversation id. */
  async function closedChat(xiaomei: TestClient): Promise<{ buyer: TestClient; id: string }> {
    const buyer = await s.buyer();
    const id = String(buyer.frames.find((f) => f.type === 'welcome')?.['conversationId']);
    await say(buyer, '我要人工');
    await xiaomei.next(isConv(id), 'first assignment');
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'assigned', 'assigned');
    await closeAs(s, TOKENS.xiaomei, id);
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'closed', 'closed');
    return { buyer, id };
  }

  it('a complaint on the same page reopens the chat and reaches the online agent, with the earlier part', async () => {
    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    await xiaomei.nextType('hello');
    const { buyer, id } = await closedChat(xiaomei);

    await say(buyer, COMPLAINT);
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'queued', 'queued again');
    const again = await xiaomei.next(isConv(id), 'the reopened conversation');
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'assigned', 'assigned again');
    const texts = history(again).map((h) => h.text);
    expect(texts).toContain('我要人工');
    expect(texts).toContain(COMPLAINT);
    const stored = await s.store.getConversation(id);
    expect([stored?.status, stored?.assignedAgent]).toEqual(['agent', 'xiaomei']);
    expect((await stats(s)).queueLength).toBe(0);
    await xiaomei.close();
    await buyer.close();
  });

  it('after a reload the buyer resumes the closed chat with its messages, and a request for a person reaches an agent', async () => {
    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    await xiaomei.nextType('hello');
    const { buyer, id } = await closedChat(xiaomei);
    const welcome = buyer.frames.find((f) => f.type === 'welcome')!;
    await buyer.close();

    const again = await TestClient.open(s.wsUrl);
    const resumed = await again.hello({ buyerId: welcome['buyerId'], resumeToken: welcome['resumeToken'] });
    expect([resumed['conversationId'], resumed['status']]).toEqual([id, 'closed']);
    // The earlier messages come back (a resumed client without lastSeq gets them all).
    await again.next((f) => f.type === 'message' && f['text'] === '我要人工', 'earlier message replayed');
    await say(again, COMPLAINT);
    await xiaomei.next(isConv(id), 'the reopened conversation');
    expect((await s.store.listQueue()).map((e) => e.conversationId)).not.toContain(id);
    await xiaomei.close();
    await again.close();
  });

  it('with nobody online the reopened complaint waits in the queue, and the stored status agrees with the queue', async () => {
    const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
    await xiaomei.nextType('hello');
    const { buyer, id } = await closedChat(xiaomei);
    await xiaomei.close();
    // Offline now (the console closed and the agent went offline by hand).
    const off = await fetch(`${s.url}/api/agent/presence`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.xiaomei}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'offline' }),
    });
    expect(off.status).toBe(200);
    await say(buyer, COMPLAINT);
    await buyer.next((f) => f.type === 'handoff' && f['status'] === 'queued', 'queued again');
    expect((await s.store.getConversation(id))?.status).toBe('queued');
    expect((await s.store.listQueue()).map((e) => e.conversationId)).toEqual([id]);
    expect((await stats(s)).queueLength).toBe(1);
    await buyer.close();
  });
});

describe('suggestions that read the conversation', () => {
  it("an angry buyer's 在吗 after a complaint keeps the complaint's suggestions, never greetings", async () => {
    const s = await startAgentServer();
    try {
      const xiaomei = await TestClient.open(s.agentUrl(TOKENS.xiaomei));
      await xiaomei.nextType('hello');
      const buyer = await s.buyer();
      const id = String(buyer.frames.find((f) => f.type === 'welcome')?.['conversationId']);
      await say(buyer, COMPLAINT);
      const got = await xiaomei.next(isConv(id), 'the complaint');
      const before = (got['suggestions'] as { templateId?: string }[]).map((x) => x.templateId);
      expect(before.some((t) => t?.startsWith('greeting.'))).toBe(false);
      await say(buyer, '在吗');
      const turn = await xiaomei.next(
        (f) => f.type === 'turn' && f['conversationId'] === id && f['intent'] !== 'bad_review.complaint',
        'the 在吗 turn',
      );
      const after = turn['suggestions'] as { templateId?: string; text: string }[];
      expect(after).toHaveLength(3);
      expect(after.filter((x) => x.templateId?.startsWith('greeting.'))).toEqual([]);
      expect(after.map((x) => x.templateId)).toEqual(before);
      // A reload of the console shows the same.
      const frame = await fetch(`${s.url}/api/agent/conversations/${id}`, { headers: { authorization: `Bearer ${TOKENS.xiaomei}` } });
      expect(((await frame.json()) as { suggestions: { templateId?: string }[] }).suggestions.map((x) => x.templateId)).toEqual(before);
      await Promise.all([xiaomei.close(), buyer.close()]);
    } finally {
      await s.stop();
    }
  });
});
