/**
 * Images in the chat over real HTTP and WebSocket: a buyer's photo after the bot asked for
 * one is acknowledged from the template and handed over with the photo; types are checked by
 * content, not name; the size limit holds; only the conversation's buyer and agents can
 * fetch a file (403 for another buyer); an agent holding the conversation can send one.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { filesConcern } from '../../src/files/http-files';
import { sniffImageType } from '../../src/files/image-type';
import { realEngine, ROOT } from '../e2e/real-engine';
import { startServer, TestClient, type Frame, type Running } from '../transport/harness';

const { engine, shop } = realEngine();
const LIMIT = 4096;

/** A tiny valid PNG (1×1), padded to `size` bytes after its end (still PNG by its magic bytes). */
function png(size = 200): Buffer {
  const head = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082',
    'hex',
  );
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length))]);
}

/** The variants of a system move, its after-hours version's included (the server runs on the real clock). */
function systemMove(name: string): string[] {
  const doc = parse(readFileSync(join(ROOT, 'templates/system.yaml'), 'utf8')) as { moves: Record<string, string[]> };
  return [...(doc.moves[name] ?? []), ...(doc.moves[`${name}_after_hours`] ?? [])];
}

describe('chat images', () => {
  let server: Running;
  let dataDir: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'h13-files-'));
    server = await startServer({
      engine,
      shop,
      env: { LOG_LEVEL: 'warn', DATA_DIR: dataDir, MAX_UPLOAD_BYTES: String(LIMIT) },
      concerns: [filesConcern()],
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function buyer(): Promise<{ c: TestClient; welcome: Frame; headers: Record<string, string> }> {
    const c = await TestClient.open(server.wsUrl);
    clients.push(c);
    const welcome = await c.hello({});
    return { c, welcome, headers: { 'x-buyer-id': String(welcome['buyerId']), 'x-resume-token': String(welcome['resumeToken']) } };
  }

  const upload = (body: Buffer, headers: Record<string, string>, query = '') =>
    fetch(`${server.url}/api/files${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', ...headers },
      body: new Uint8Array(body),
    });

  it('acknowledges a photo the bot asked for, hands over, and the buyer sees the image message', async () => {
    const { c, welcome, headers } = await buyer();
    const conversationId = String(welcome['conversationId']);
    c.send({ type: 'message', id: 'q1', text: '收到的大衣破了个洞' });
    const ack = await c.next((f) => f.type === 'ack' && f['id'] === 'q1');
    await c.next((f) => f.type === 'message' && f['from'] === 'bot' && Number(f['seq']) > Number(ack['seq']));
    await server.app.conversations.drain();
    const conv = await server.store.getConversation(conversationId);
    expect(conv?.turns.at(-1)?.intent).toBe('return.damaged');

    const res = await upload(png(), headers);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { file: { id: string; url: string; contentType: string; size: number }; seq: number };
    expect(body.file).toMatchObject({ contentType: 'image/png', size: 200, url: `/api/files/${body.file.id}` });

    const image = await c.next((f) => f.type === 'message' && f['seq'] === body.seq, 'image message');
    expect(image).toMatchObject({ from: 'buyer', file: body.file });
    const reply = await c.next((f) => f.type === 'message' && f['from'] === 'bot' && Number(f['seq']) > body.seq, 'photo ack');
    expect(systemMove('photo_asked')).toContain(reply['text']);
    await c.next((f) => f.type === 'handoff' && f['status'] === 'queued', 'handoff');
    const queued = await server.store.getConversation(conversationId);
    expect(queued?.handoff).toMatchObject({ reason: 'after_sale', priority: 'high' });
    expect((await server.store.listQueue()).map((q) => q.conversationId)).toContain(conversationId);

    // The owner fetches it back byte for byte; the type header is what the bytes are.
    const got = await fetch(`${server.url}${body.file.url}`, { headers });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await got.arrayBuffer()).equals(png())).toBe(true);
    // Nothing the client named reaches the disk: only random ids and their metadata.
    const names = readdirSync(join(dataDir, 'files'), { recursive: true }).map(String);
    expect(names.filter((n) => n.includes('.') && !n.endsWith('.json'))).toEqual([]);
  });

  it('refuses a non-image named like one (415), a file over the limit (413) and a missing or wrong identity (401)', async () => {
    const { headers } = await buyer();
    const fake = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const wrong = await upload(fake, { ...headers, 'content-type': 'image/png', 'content-disposition': 'attachment; filename="cat.png"' });
    expect(wrong.status).toBe(415);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('BAD_FILE_TYPE');
    const big = await upload(png(LIMIT + 1), headers);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('FILE_TOO_LARGE');
    expect((await upload(png(LIMIT), headers)).status).toBe(201); // exactly the limit is fine
    expect((await upload(png(), {})).status).toBe(401);
    expect((await upload(png(), { ...headers, 'x-resume-token': 'not-the-token' })).status).toBe(401);
  });

  it('lets only the conversation buyer and agents fetch a file: another buyer gets 403', async () => {
    const owner = await buyer();
    const other = await buyer();
    const res = await upload(png(), owner.headers);
    const { file } = (await res.json()) as { file: { url: string } };
    expect((await fetch(`${server.url}${file.url}`, { headers: other.headers })).status).toBe(403);
    expect((await fetch(`${server.url}${file.url}`)).status).toBe(401);
    expect((await fetch(`${server.url}${file.url}`, { headers: { authorization: 'Bearer agent-tok-1' } })).status).toBe(200);
    expect((await fetch(`${server.url}${file.url}`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/files/..%2F..%2Fetc%2Fpasswd`, { headers: owner.headers })).status).toBe(404);
  });

  it('an agent holding the conversation sends an image; the buyer receives it; an agent not holding it may not', async () => {
    const { c, welcome, headers } = await buyer();
    const conversationId = String(welcome['conversationId']);
    const conv = await server.store.getConversation(conversationId);
    const agentAuth = { authorization: 'Bearer agent-tok-1' };
    expect((await upload(png(), agentAuth, `?conversationId=${conversationId}`)).status).toBe(403);
    await server.store.saveConversation({ ...conv!, status: 'agent', assignedAgent: 'xiaomei' });
    const res = await upload(png(300), agentAuth, `?conversationId=${conversationId}`);
    expect(res.status).toBe(201);
    const { file, seq } = (await res.json()) as { file: { url: string }; seq: number };
    const frame = await c.next((f) => f.type === 'message' && f['seq'] === seq, 'agent image');
    expect(frame).toMatchObject({ from: 'agent', agentName: 'xiaomei', file: { url: file.url, contentType: 'image/png', size: 300 } });
    const got = await fetch(`${server.url}${file.url}`, { headers });
    expect(got.status).toBe(200);
  });
});

describe('sniffImageType', () => {
  it('knows the four formats by their first bytes and nothing else', () => {
    expect(sniffImageType(Buffer.from('ffd8ffe000104a464946', 'hex'))).toBe('image/jpeg');
    expect(sniffImageType(png())).toBe('image/png');
    expect(sniffImageType(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBe('image/gif');
    expect(sniffImageType(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffImageType(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'))).toBeUndefined();
    expect(sniffImageType(Buffer.from('<svg/>'))).toBeUndefined();
    expect(sniffImageType(Buffer.from('%PDF-1.7'))).toBeUndefined();
    expect(sniffImageType(Buffer.alloc(0))).toBeUndefined();
  });
});
