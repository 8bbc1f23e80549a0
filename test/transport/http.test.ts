import { loadDemoShop } from '../../src/shop';
import { startServer, type Running } from './harness';
import { createScriptedEngine } from './scripted-engine';

const shop = loadDemoShop('demo/shop');

describe('HTTP routes', () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer({ engine: createScriptedEngine(), shop });
  });
  afterAll(() => server.stop());

  it('GET /healthz answers 200 with the store status while taking buyers', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', store: 'memory' });
  });

  it('serves the storefront with a strict content security policy and the widget for any origin', async () => {
    const page = await fetch(`${server.url}/storefront`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    // The demo page adds the widget tag from storefront.js (it lets a visitor pick a demo buyer).
    expect(html).toContain('<script src="/static/storefront.js"></script>');
    const pageScript = await (await fetch(`${server.url}/static/storefront.js`)).text();
    expect(pageScript).toContain("s.src = '/widget.js'");
    expect(pageScript).toContain("s.setAttribute('data-shop', SHOP)");
    const widget = await fetch(`${server.url}/widget.js`);
    expect(widget.headers.get('content-type')).toMatch(/javascript/);
    expect(widget.headers.get('access-control-allow-origin')).toBe('*');
    const again = await fetch(`${server.url}/widget.js`, { headers: { 'if-none-match': widget.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
  });

  it("gives pages an icon, and answers the browser's /favicon.ico without a 404", async () => {
    const icon = await fetch(`${server.url}/static/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect((await fetch(`${server.url}/favicon.ico`)).status).toBe(204);
    expect(await (await fetch(`${server.url}/storefront`)).text()).toContain('href="/static/favicon.svg"');
  });

  it('never serves files outside the web directory', async () => {
    for (const path of ['/static/../config.ts', '/static/%2e%2e/app.ts', '/static/..%2fapp.ts', '/static/.hidden.js']) {
      const res = await fetch(`${server.url}${path}`);
      expect([404]).toContain(res.status);
    }
  });

  it('describes the featured product without its floor price', async () => {
    const res = await fetch(`${server.url}/api/shop/demo/product`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { product: Record<string, unknown> };
    expect(body.product['name']).toBe(shop.featuredProduct()?.name);
    expect(JSON.stringify(body)).not.toContain('floor');
    expect((await fetch(`${server.url}/api/shop/other/product`)).status).toBe(404);
  });

  it('answers unknown paths with a coded 404 and a wrong method with Allow', async () => {
    const res = await fetch(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const post = await fetch(`${server.url}/healthz`, { method: 'POST' });
    expect(post.headers.get('allow')).toBe('GET');
  });
});
