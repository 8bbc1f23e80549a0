/**
 * The shop API contract stays one thing: docs/shop-api/*.schema.json are what
 * src/shop/wire.ts generates, every example in docs/shop-api.md validates against the
 * schema it names, and the reference API answers in the contract.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { contractSchemas } from '../../src/shop-api/schemas';
import { createShopApi } from '../../src/shop-api/server';
import { loadDemoShop } from '../../src/shop/demo';
import { WIRE_SCHEMAS } from '../../src/shop/wire';

const ROOT = join(__dirname, '../..');

it('docs/shop-api/*.schema.json are up to date (regenerate with `npx tsx src/shop-api/schemas.ts`)', () => {
  const dir = join(ROOT, 'docs/shop-api');
  const expected = contractSchemas();
  expect(readdirSync(dir).sort()).toEqual([...expected.keys()].sort());
  for (const [file, text] of expected) expect(readFileSync(join(dir, file), 'utf8')).toBe(text);
});

it('every example in docs/shop-api.md matches the schema it names, and every schema has one', () => {
  const doc = readFileSync(join(ROOT, 'docs/shop-api.md'), 'utf8');
  const examples = [...doc.matchAll(/```json ([a-z-]+)\n([\s\S]*?)\n```/g)];
  const named = new Set<string>();
  for (const [, name = '', body = ''] of examples) {
    expect(Object.hasOwn(WIRE_SCHEMAS, name)).toBe(true);
    const result = WIRE_SCHEMAS[name as keyof typeof WIRE_SCHEMAS].safeParse(JSON.parse(body));
    expect({ name, issues: result.success ? [] : result.error.issues }).toEqual({ name, issues: [] });
    named.add(name);
  }
  expect([...named].sort()).toEqual(
    Object.keys(WIRE_SCHEMAS)
      .filter((n) => n !== 'error')
      .sort(),
  );
});

it('the reference shop API answers every read in the contract, 404 with an error body, 401 without its token', async () => {
  const api = createShopApi({ shop: loadDemoShop(join(ROOT, 'demo/shop')), token: 'ref-token-123' });
  await new Promise<void>((r) => api.server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/v1`;
  const get = async (path: string, token = 'ref-token-123') => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, json: (await res.json()) as unknown };
  };
  try {
    const reads: [string, keyof typeof WIRE_SCHEMAS][] = [
      ['/policy', 'policy'],
      ['/products', 'products'],
      ['/products/P100/stock', 'stock'],
      ['/buyers', 'buyers'],
      ['/buyers/B002', 'buyer'],
      ['/buyers/B002/orders', 'orders'],
      ['/orders/E1002', 'order'],
      ['/orders/E1002/tracking', 'tracking'],
    ];
    for (const [path, schema] of reads) {
      const { status, json } = await get(path);
      expect({ path, status }).toEqual({ path, status: 200 });
      expect({ path, ok: WIRE_SCHEMAS[schema].safeParse(json).success }).toEqual({ path, ok: true });
    }
    const missing = await get('/orders/NOPE');
    expect(missing.status).toBe(404);
    expect(WIRE_SCHEMAS.error.safeParse(missing.json).success).toBe(true);
    expect((await get('/policy', 'wrong')).status).toBe(401);
  } finally {
    await new Promise<void>((r) => api.server.close(() => r()));
  }
});
