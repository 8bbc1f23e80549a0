/**
 * Serves the front-end files in src/web (widget, storefront, and the agent console and
 * script editor pages their issues add). Files are read once and cached with an ETag, and
 * text files are compressed once (brotli, gzip) and sent in whichever the browser accepts;
 * names are checked against the directory so a request can never climb out of it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { sendError } from './router';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

// Pages run only our own scripts; inline styles are allowed for small layout tweaks.
// Frames are allowed anywhere for widget.js (a shop embeds it), not for our own pages.
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * Pages are revalidated on every load (a deploy shows at once; the ETag makes it a 304).
 * The widget and assets may be reused for a few minutes without asking: shop pages load
 * /widget.js on every visit, and its URL cannot carry a version because shops embed it.
 */
const PAGE_CACHE = 'no-cache';
const ASSET_CACHE = 'public, max-age=300';

/** Smaller bodies gain nothing from compression (headers and framing dominate). */
const MIN_COMPRESS_BYTES = 512;

export type Encoding = 'br' | 'gzip' | 'identity';

interface Representation {
  body: Buffer;
  etag: string;
}

interface CachedFile {
  type: string;
  /** Each encoding worth sending; identity always, br/gzip only for text that shrinks. */
  encodings: Map<Encoding, Representation>;
}

/**
 * The encoding to send: brotli, then gzip, among those the client accepts (q > 0) and the
 * file has; identity otherwise. `accept-encoding` is parsed leniently: unknown tokens are ignored.
 */
export function chooseEncoding(acceptEncoding: string | undefined, available: ReadonlySet<Encoding>): Encoding {
  if (!acceptEncoding) return 'identity';
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(token.trim(), q === undefined ? 1 : Number(q));
  }
  const wants = (enc: string): boolean => (accepted.get(enc) ?? accepted.get('*') ?? 0) > 0;
  for (const enc of ['br', 'gzip'] as const) if (available.has(enc) && wants(enc)) return enc;
  return 'identity';
}

/** True when an If-None-Match header names this ETag (weak comparison, as RFC 9110 asks for GET). */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = (tag: string): string => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => bare(tag) === etag);
}

function compressible(type: string): boolean {
  return type.startsWith('text/') || type.startsWith('image/svg') || type.startsWith('application/json');
}

/** Serves files from one directory; `cache: false` re-reads on every request (development). */
export class StaticFiles {
  private readonly root: string;
  private readonly cache = new Map<string, CachedFile>();
  private readonly defined = new Map<string, CachedFile>();

  constructor(
    rootDir: string,
    private readonly options: { cache?: boolean } = {},
  ) {
    this.root = resolve(rootDir);
  }

  /**
   * Serves `text` as the file `name`, made by the server rather than read from the directory
   * (the pages' `/labels.js`); sent like any other file (ETag, compression, cache headers).
   */
  define(name: string, text: string): void {
    const type = TYPES[extname(name)];
    if (!type) throw new Error(`No content type for ${name}`);
    this.defined.set(name, { type, encodings: encode(Buffer.from(text), type) });
  }

  /** Sends `name` (relative to the root) or 404. */
  async send(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const file = await this.load(name);
    if (!file) {
      sendError(res, 'NOT_FOUND');
      return;
    }
    const encoding = chooseEncoding(req.headers['accept-encoding'], new Set(file.encodings.keys()));
    const chosen = file.encodings.get(encoding) ?? file.encodings.get('identity');
    if (!chosen) {
      sendError(res, 'NOT_FOUND');
      return;
    }
    const isPage = file.type.startsWith('text/html');
    const headers: Record<string, string> = {
      'content-type': file.type,
      etag: chosen.etag,
      'cache-control': isPage ? PAGE_CACHE : ASSET_CACHE,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
    };
    // Caches must key on the encoding whenever there is more than one to choose from.
    if (file.encodings.size > 1) headers['vary'] = 'Accept-Encoding';
    if (encoding !== 'identity') headers['content-encoding'] = encoding;
    if (isPage) {
      headers['content-security-policy'] = PAGE_CSP;
      headers['x-frame-options'] = 'DENY';
    } else {
      // widget.js and its stylesheet are loaded by shop pages on other origins.
      headers['access-control-allow-origin'] = '*';
    }
    if (matchesEtag(req.headers['if-none-match'], chosen.etag)) {
      delete headers['content-encoding'];
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['content-length'] = String(chosen.body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : chosen.body);
  }

  private async load(name: string): Promise<CachedFile | null> {
    const defined = this.defined.get(name);
    if (defined) return defined;
    if (!/^[A-Za-z0-9._/-]+$/.test(name) || name.split('/').some((p) => p === '..' || p.startsWith('.'))) return null;
    const type = TYPES[extname(name)];
    if (!type) return null;
    const path = resolve(join(this.root, name));
    if (!path.startsWith(this.root + sep)) return null;
    const cached = this.options.cache === false ? undefined : this.cache.get(path);
    if (cached) return cached;
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      return null;
    }
    const file: CachedFile = { type, encodings: encode(body, type) };
    if (this.options.cache !== false) this.cache.set(path, file);
    return file;
  }
}

/**
 * The file as sent in each encoding, each with its own ETag (a cache holding the gzip body
 * must not revalidate it against the brotli one). Done once per file while cached; the
 * files are small, so the best brotli level costs a few milliseconds at first request.
 */
function encode(body: Buffer, type: string): Map<Encoding, Representation> {
  const hash = createHash('sha1').update(body).digest('base64url').slice(0, 16);
  const encodings = new Map<Encoding, Representation>([['identity', { body, etag: `"${hash}"` }]]);
  if (!compressible(type) || body.length < MIN_COMPRESS_BYTES) return encodings;
  const br = brotliCompressSync(body, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  if (br.length < body.length) encodings.set('br', { body: br, etag: `"${hash}-br"` });
  const gz = gzipSync(body, { level: zlib.Z_BEST_COMPRESSION });
  if (gz.length < body.length) encodings.set('gzip', { body: gz, etag: `"${hash}-gz"` });
  return encodings;
}
