/**
 * Static files over a real socket: compression by Accept-Encoding (brotli, gzip, none), one
 * ETag per encoding with 304 on revalidation, Vary, and cache lifetimes (pages revalidate
 * every time, the widget and assets may be reused for a few minutes). Requests use
 * node:http so the test sees the bytes on the wire (fetch would decompress them).
 */
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { HANDOFF_REASON_LABELS, ORDER_STATUS_LABELS, PRIORITY_LABELS } from '../../src/model/labels';
import { loadDemoShop } from '../../src/shop';
import { chooseEncoding } from '../../src/transport/static-files';
import { startServer, type Running } from './harness';
import { createScriptedEngine } from './scripted-engine';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const widgetSource = readFileSync('src/web/widget.js');
const pageSource = readFileSync('src/web/storefront.html');

describe('static files: compression and caching', () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer({ engine: createScriptedEngine(), shop: loadDemoShop('demo/shop') });
  });
  afterAll(() => server.stop());

  it('sends brotli when the browser accepts it, and the bytes decompress to the file', async () => {
    const res = await get(`${server.url}/widget.js`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['vary']).toBe('Accept-Encoding');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeLessThan(widgetSource.length / 2);
    expect(brotliDecompressSync(res.body).equals(widgetSource)).toBe(true);
  });

  it('serves /labels.js, made from src/model/labels.ts, like a file: the tables as window.KefuLabels, compressed, with an ETag', async () => {
    const res = await get(`${server.url}/labels.js`, { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['content-encoding']).toBe('gzip');
    const source = gunzipSync(res.body).toString('utf8');
    const window: { KefuLabels?: unknown } = {};
    new Function('window', source)(window);
    expect(window.KefuLabels).toEqual({ reasons: HANDOFF_REASON_LABELS, priorities: PRIORITY_LABELS, orderStatus: ORDER_STATUS_LABELS });
    const again = await get(`${server.url}/labels.js`, { 'accept-encoding': 'gzip', 'if-none-match': String(res.headers['etag']) });
    expect(again.status).toBe(304);
    // Every page that shows these labels loads it before its own script.
    for (const [page, script] of [
      ['agent.html', '/agent.js'],
      ['manage.html', '/manage.js'],
      ['storefront.html', '/static/storefront.js'],
    ] as const) {
      const html = readFileSync(`src/web/${page}`, 'utf8');
      expect(html.indexOf('<script src="/labels.js"></script>')).toBeGreaterThan(-1);
      expect(html.indexOf('<script src="/labels.js"></script>')).toBeLessThan(html.indexOf(`<script src="${script}"></script>`));
    }
  });

  it('sends gzip to a client without brotli, and the file as is to one that accepts neither', async () => {
    const gz = await get(`${server.url}/widget.js`, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(widgetSource)).toBe(true);

    for (const accept of [undefined, 'identity', 'br;q=0, gzip;q=0', 'deflate']) {
      const res = await get(`${server.url}/widget.js`, accept === undefined ? {} : { 'accept-encoding': accept });
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.body.equals(widgetSource)).toBe(true);
      expect(res.headers['vary']).toBe('Accept-Encoding');
    }
  });

  it('gives each encoding its own ETag and answers a matching If-None-Match with 304 and no body', async () => {
    const br = await get(`${server.url}/widget.js`, { 'accept-encoding': 'br' });
    const gz = await get(`${server.url}/widget.js`, { 'accept-encoding': 'gzip' });
    const plain = await get(`${server.url}/widget.js`);
    const tags = [br, gz, plain].map((r) => r.headers['etag']);
    expect(new Set(tags).size).toBe(3);

    const again = await get(`${server.url}/widget.js`, { 'accept-encoding': 'br', 'if-none-match': String(br.headers['etag']) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers['etag']).toBe(br.headers['etag']);
    expect(again.headers['cache-control']).toBe(br.headers['cache-control']);
    // A weak validator and a list of several tags match too (RFC 9110 weak comparison).
    const weak = await get(`${server.url}/widget.js`, { 'accept-encoding': 'gzip', 'if-none-match': `"nope", W/${String(gz.headers['etag'])}` });
    expect(weak.status).toBe(304);
    // The brotli body's tag does not validate the gzip body.
    const other = await get(`${server.url}/widget.js`, { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers['etag']) });
    expect(other.status).toBe(200);
    expect(other.headers['content-encoding']).toBe('gzip');
  });

  it('has pages revalidated on every load and lets the widget and assets be reused for a while', async () => {
    const page = await get(`${server.url}/storefront`, { 'accept-encoding': 'br' });
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(brotliDecompressSync(page.body).equals(pageSource)).toBe(true);
    for (const path of ['/widget.js', '/widget.css', '/static/storefront.js']) {
      const res = await get(`${server.url}${path}`, { 'accept-encoding': 'br' });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      expect(res.headers['access-control-allow-origin']).toBe('*');
    }
  });

  it('leaves tiny files uncompressed, without Vary', async () => {
    const icon = await get(`${server.url}/static/favicon.svg`, { 'accept-encoding': 'br, gzip' });
    expect(icon.status).toBe(200);
    expect(icon.headers['content-encoding']).toBeUndefined();
    expect(icon.headers['vary']).toBeUndefined();
    expect(icon.body.equals(readFileSync('src/web/favicon.svg'))).toBe(true);
  });
});

describe('chooseEncoding', () => {
  const all = new Set(['br', 'gzip', 'identity'] as const);
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['BR;Q=0.5', 'br'],
    ['*', 'br'],
    ['*;q=0', 'identity'],
    ['gzip;q=0, *', 'br'],
    ['deflate, compress', 'identity'],
  ])('accept-encoding %p -> %p', (header, expected) => {
    expect(chooseEncoding(header, all)).toBe(expected);
  });

  it('only picks what the file has', () => {
    expect(chooseEncoding('br, gzip', new Set(['identity', 'gzip']))).toBe('gzip');
    expect(chooseEncoding('br, gzip', new Set(['identity']))).toBe('identity');
  });
});
