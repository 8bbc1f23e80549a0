/**
 * The learning routes over HTTP on a real server: who may call what, what is refused, one
 * correction per message, and a manager's accept putting the phrase into the draft with the
 * agent and the manager in the audit; reject kept with who rejected.
 */
import { parse } from 'yaml';
import { correctionId } from '../../src/learn/corrections';
import { buyerSays, startLearnServer, TOKENS, type LearnServer } from '../e2e/learn-helpers';

describe('corrections over HTTP', () => {
  let s: LearnServer;
  beforeAll(async () => {
    s = await startLearnServer();
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
  });

  const agent = (method: string, path: string, body?: unknown, token: string | null = TOKENS.xiaomei) => s.api(method, path, body, token);

  it('asks agents for an agent token and managers for a manager token', async () => {
    const m = await buyerSays(s, '我要找你们老板');
    const mark = { conversationId: m.conversationId, seq: m.seq, intent: 'human.request' };
    expect((await agent('POST', '/api/corrections', mark, null)).status).toBe(401);
    expect((await agent('POST', '/api/corrections', mark, 'nope')).status).toBe(401);
    expect((await agent('POST', '/api/corrections', mark, TOKENS.manager)).status).toBe(401);
    expect((await s.api('GET', '/api/corrections/review', undefined, null)).status).toBe(401);
    expect((await s.api('GET', '/api/corrections/review', undefined, TOKENS.xiaomei)).status).toBe(403);
    const id = correctionId(m.conversationId, m.seq);
    expect((await s.api('POST', `/api/corrections/${id}/accept`, {}, TOKENS.ajie)).status).toBe(403);
    expect((await s.api('POST', `/api/corrections/${id}/reject`, {}, null)).status).toBe(401);
    expect((await agent('GET', '/api/corrections/intents', undefined, null)).status).toBe(401);
    // Both may read the intent names.
    const names = await agent('GET', '/api/corrections/intents');
    expect(names.status).toBe(200);
    expect(names.body.intents).toContainEqual({ id: 'human.request', label: '要求人工', category: 'human', categoryLabel: '人工' });
    expect((await s.api('GET', '/api/corrections/intents')).body).toEqual(names.body);
    await m.client.close();
  });

  it('refuses unknown intents, other messages and bad input', async () => {
    const m = await buyerSays(s, '能不能先用后付');
    const base = { conversationId: m.conversationId, seq: m.seq };
    const refused = await agent('POST', '/api/corrections', { ...base, intent: 'payment.credit' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('Unknown intent');
    expect((await agent('POST', '/api/corrections', { ...base, intent: 'constructor' })).status).toBe(400);
    expect((await agent('POST', '/api/corrections', { ...base, intent: '__proto__' })).status).toBe(400);
    expect((await agent('POST', '/api/corrections', { ...base, seq: 'x', intent: 'payment.pay' })).status).toBe(400);
    expect((await agent('POST', '/api/corrections', { ...base, seq: 0, intent: 'payment.pay' })).status).toBe(400);
    expect((await agent('POST', '/api/corrections', { seq: m.seq, intent: 'payment.pay' })).status).toBe(400);
    expect((await agent('POST', '/api/corrections', { ...base, conversationId: 'no-such-chat', intent: 'payment.pay' })).status).toBe(404);
    expect((await agent('POST', '/api/corrections', { ...base, seq: 999, intent: 'payment.pay' })).status).toBe(404);
    // The bot's reply is not the buyer's message.
    const botSeq = (await s.store.messagesAfter(m.conversationId, 0)).find((x) => x.from === 'bot')!.seq;
    const bot = await agent('POST', '/api/corrections', { ...base, seq: botSeq, intent: 'payment.pay' });
    expect(bot.status).toBe(400);
    expect(bot.body.error.message).toContain('buyer message');
    const res = await fetch(`${s.url}/api/corrections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.xiaomei}`, 'content-type': 'application/json' },
      body: '{"conversationId":',
    });
    expect(res.status).toBe(400);
    expect((await agent('GET', '/api/corrections/candidates?conversationId=' + m.conversationId)).status).toBe(400);
    expect((await s.api('GET', '/api/corrections/review?status=maybe')).status).toBe(400);
    await m.client.close();
  });

  it('shows the picker the message, what the bot understood and its top 3', async () => {
    const m = await buyerSays(s, '我要找你们老板');
    const c = await agent('GET', `/api/corrections/candidates?conversationId=${encodeURIComponent(m.conversationId)}&seq=${m.seq}`);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ conversationId: m.conversationId, seq: m.seq, text: '我要找你们老板', predicted: { intent: 'other.fallback' } });
    expect(c.body.ranking).toHaveLength(3);
    expect(c.body.ranking.map((r: { id: string }) => r.id)).toContain('human.request');
    expect(c.body.ranking[0]).toMatchObject({ id: 'other.fallback', label: '其他' });
    expect(c.body.correction).toBeUndefined();
    // Naming what the bot already understood corrects nothing.
    const same = await agent('POST', '/api/corrections', { conversationId: m.conversationId, seq: m.seq, intent: 'other.fallback' });
    expect(same.status).toBe(400);
    expect(same.body.error.message).toContain('already understood');
    await m.client.close();
  });

  it('records one correction per message: a second pick changes it, a race records one', async () => {
    const m = await buyerSays(s, '可以保价吗');
    const base = { conversationId: m.conversationId, seq: m.seq };
    const first = await agent('POST', '/api/corrections', { ...base, intent: 'payment.price_protect' });
    expect(first.status).toBe(201);
    expect(first.body.correction).toMatchObject({
      id: correctionId(m.conversationId, m.seq),
      conversationId: m.conversationId,
      seq: m.seq,
      text: '可以保价吗',
      corrected: 'payment.price_protect',
      agentId: 'xiaomei',
      status: 'pending',
    });
    expect(first.body.correction.predicted.intent).not.toBe('payment.price_protect');
    const again = await agent('POST', '/api/corrections', { ...base, intent: 'payment.price_protect' });
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    const repick = await agent('POST', '/api/corrections', { ...base, intent: 'haggle.bargain' }, TOKENS.ajie);
    expect(repick.status).toBe(200);
    expect(repick.body.correction).toMatchObject({ corrected: 'haggle.bargain', agentId: 'ajie' });
    const mine = await agent('GET', `/api/corrections?conversationId=${encodeURIComponent(m.conversationId)}`);
    expect(mine.body.corrections).toHaveLength(1);

    const n = await buyerSays(s, '这个能用花呗吗我想分期');
    const race = await Promise.all(
      [TOKENS.xiaomei, TOKENS.ajie, TOKENS.xiaomei].map((t) =>
        agent('POST', '/api/corrections', { conversationId: n.conversationId, seq: n.seq, intent: 'human.request' }, t),
      ),
    );
    expect(race.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect((await s.console.metrics.render()).match(/kefu_nlu_corrections_total\{event="marked",intent="human.request"\} (\d+)/)?.[1]).toBe('1');
    await m.client.close();
    await n.client.close();
  });

  it('accepts into the draft with who proposed and who accepted in the audit; rejects are kept', async () => {
    const m = await buyerSays(s, '我要找你们老板谈谈');
    const id = (await agent('POST', '/api/corrections', { conversationId: m.conversationId, seq: m.seq, intent: 'human.callback' })).body.correction
      .id;
    const similar = await buyerSays(s, '我要找你们老板谈一谈');
    await agent('POST', '/api/corrections', { conversationId: similar.conversationId, seq: similar.seq, intent: 'human.request' }, TOKENS.ajie);

    const list = await s.api('GET', '/api/corrections/review');
    const row = list.body.corrections.find((c: { id: string }) => c.id === id);
    expect(row).toMatchObject({ status: 'pending', corrected: 'human.callback', agentId: 'xiaomei' });
    expect(row.similar).toBeGreaterThanOrEqual(1);
    expect(row.now.intent).toEqual(expect.any(String));

    // Unknown intent, a phone number, an empty text: refused, nothing changes.
    expect((await s.api('POST', `/api/corrections/${id}/accept`, { intent: 'human.boss' })).status).toBe(400);
    expect((await s.api('POST', `/api/corrections/${id}/accept`, { text: '我要找你们老板 13812345678' })).status).toBe(400);
    expect((await s.api('POST', `/api/corrections/${id}/accept`, { text: '   ' })).status).toBe(400);
    expect((await s.api('POST', '/api/corrections/cnope/accept', {})).status).toBe(404);
    expect(s.scripts.editor.overview().draft).toEqual([]);

    // The manager changes the intent: the phrase goes to human.request in the draft.
    const ok = await s.api('POST', `/api/corrections/${id}/accept`, { intent: 'human.request' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      path: 'intents/human.request.yaml',
      added: true,
      correction: { status: 'accepted', review: { by: 'dianzhang', intent: 'human.request' } },
    });
    const draft = s.scripts.editor.readFile('intents/human.request.yaml');
    expect(draft.draft).toBe(true);
    const examples = (parse(draft.text) as { examples: string[] }).examples;
    expect(examples[examples.length - 1]).toBe('我要找你们老板谈谈');
    expect(s.scripts.editor.overview().draft).toEqual([expect.objectContaining({ path: 'intents/human.request.yaml', author: 'dianzhang' })]);
    const audit = (await s.api('GET', '/api/scripts/audit')).body.entries as { who: string; action: string; detail?: string }[];
    const learned = audit.find((e) => e.action === 'learn.accept')!;
    expect(learned.who).toBe('dianzhang');
    expect(learned.detail).toContain('xiaomei');
    expect(learned.detail).toContain('我要找你们老板谈谈');
    expect(audit.some((e) => e.action === 'draft.save' && e.who === 'dianzhang' && e.detail === 'intents/human.request.yaml')).toBe(true);

    // Reviewed once.
    expect((await s.api('POST', `/api/corrections/${id}/accept`, {})).status).toBe(409);
    expect((await s.api('POST', `/api/corrections/${id}/reject`, {})).status).toBe(409);
    expect((await agent('POST', '/api/corrections', { conversationId: m.conversationId, seq: m.seq, intent: 'payment.pay' })).status).toBe(409);

    // The similar one is rejected, and kept with who rejected it.
    const sid = correctionId(similar.conversationId, similar.seq);
    const rejected = await s.api('POST', `/api/corrections/${sid}/reject`, { reason: '和上一条重复' });
    expect(rejected.status).toBe(200);
    const kept = (await s.api('GET', '/api/corrections/review?status=rejected')).body.corrections;
    expect(kept).toContainEqual(
      expect.objectContaining({ id: sid, status: 'rejected', review: expect.objectContaining({ by: 'dianzhang', reason: '和上一条重复' }) }),
    );
    expect((await s.api('GET', '/api/corrections/review')).body.corrections.map((c: { id: string }) => c.id)).not.toContain(sid);
    const metrics = await s.console.metrics.render();
    expect(metrics).toContain('kefu_nlu_corrections_total{event="accepted",intent="human.request"} 1');
    expect(metrics).toContain('kefu_nlu_corrections_total{event="rejected",intent="human.request"} 1');

    // A phrase the draft already has under another intent: 422 with the editor's error, in Chinese.
    const taken = await buyerSays(s, '我要找你们老板谈谈');
    const tid = (await agent('POST', '/api/corrections', { conversationId: taken.conversationId, seq: taken.seq, intent: 'payment.pay' })).body
      .correction.id;
    const clash = await s.api('POST', `/api/corrections/${tid}/accept`, {});
    expect(clash.status).toBe(422);
    expect(clash.body.errors[0].localized).toMatch(/human\.request/);
    expect((await s.api('GET', '/api/corrections/review')).body.corrections.map((c: { id: string }) => c.id)).toContain(tid);
    for (const c of [m, similar, taken]) await c.client.close();
  });
});
