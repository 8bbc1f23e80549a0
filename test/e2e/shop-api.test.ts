/**
 * A real shop behind SHOP_API_URL, end to end: the reference shop API in its own process
 * serves a copy of the demo shop whose tracking says something the server's own demo files
 * do not; the server (its own process, SHOP_API_URL pointing at the API, live data not
 * cached) answers a signed demo buyer's tracking question with the API's data. Killing the
 * API mid-conversation gives the holding reply and a handoff, and the server keeps serving.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { signShopBuyer } from '../../src/transport/shop-identity';
import { Buyer, expectFrame, ROOT, scriptsCopy, startInstance, stopAllInstances, type Instance } from './support/instances';
import { shopCopy, startShopApi, stopAllShopApis, type ShopApiProcess } from './support/shop-api';

jest.setTimeout(120_000);

const SECRET = 'h13-shop-api-e2e-secret-0123456789abcdef';
/** Only the API's copy of the shop says this; the server's demo/shop says 张江营业部. */
const API_ONLY = '【上海市】快件已到达接口测试营业部，快递员正在派件';

let api: ShopApiProcess;
let server: Instance;
const buyers: Buyer[] = [];

beforeAll(async () => {
  const dir = shopCopy((yaml) => {
    const edited = yaml.replace('【上海市】快件已到达浦东新区张江营业部，快递员正在派件', API_ONLY);
    if (edited === yaml) throw new Error('demo tracking event not found: update this test with the demo shop');
    return edited;
  });
  api = await startShopApi(dir);
  server = await startInstance({
    name: 'h13-shop',
    redisUrl: '',
    prefix: 'unused',
    scriptsDir: scriptsCopy(),
    // REDIS_URL empty: the embedded store. Live data not cached, so every turn asks the API.
    env: { REDIS_URL: '', SHOP_API_URL: api.url, SHOP_API_LIVE_TTL_MS: '0', SHOP_SECRET: SECRET, SHOP_API_TIMEOUT_MS: '1500' },
  });
}, 90_000);

afterAll(async () => {
  await Promise.all(buyers.map((b) => b.close().catch(() => undefined)));
  await stopAllInstances();
  await stopAllShopApis();
}, 60_000);

/** The variants of the holding reply (templates/system.yaml, move error, and error_after_hours: the server runs on the real clock). */
function holdingReplies(): string[] {
  const doc = parse(readFileSync(join(ROOT, 'templates/system.yaml'), 'utf8')) as { moves: { error: string[]; error_after_hours?: string[] } };
  return [...doc.moves.error, ...(doc.moves.error_after_hours ?? [])];
}

async function signedBuyer(id: string): Promise<Buyer> {
  const b = await Buyer.open(server, { shopBuyerId: id, shopBuyerSig: signShopBuyer(SECRET, id) }, id);
  buyers.push(b);
  return b;
}

it('answers a tracking question with the shop API data, then hands off politely when the API dies', async () => {
  expect(server.logs.some((l) => l['msg'] === 'shop connected' && l['shop'] === 'http')).toBe(true);
  const lina = await signedBuyer('B002');
  const { reply } = await lina.ask('我的快递到哪了');
  expect(String(reply['text'])).toContain('接口测试营业部');
  expect(String(reply['text'])).not.toContain('张江营业部');

  await api.kill();
  const sent = await lina.send('现在到哪里了');
  const holding = await lina.nextBot(sent.seq);
  // The holding reply (system.error template): a colleague takes over, no made-up parcel news.
  expect(String(holding['text'])).not.toMatch(/营业部|转运中心/);
  expect(holdingReplies()).toContain(holding['text']);
  await expectFrame(lina.client, (f) => f.type === 'handoff' && f['status'] === 'queued', 'handoff queued');
  expect(server.logs.some((l) => l['msg'] === 'bot turn failed; handing off')).toBe(true);

  // No crash: the server still serves, and a new buyer is still greeted (without shop data).
  expect((await server.health()).status).toBe(200);
  const other = await signedBuyer('B001');
  const greeting = await other.client.next((f) => f.type === 'message' && f['from'] === 'bot', 'greeting');
  expect(String(greeting['text']).length).toBeGreaterThan(0);
});
