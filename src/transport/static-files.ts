/**
 * Serves the front-end files in src/web (widget, storefront, and the agent console and
 * script editor pages their issues add). Files are read once and cached with an ETag;
 * names are checked against the directory so a request can never climb out of it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

interface CachedFile {
  body: Buffer;
  etag: string;
  type: string;
}

/** Serves files from one directory; `cache: false` re-reads on every request (development). */
export class StaticFiles {
  private readonly root: string;
  private readonly cache = new Map<string, CachedFile>();

  constructor(
    rootDir: string,
    private readonly options: { cache?: boolean } = {},
  ) {
    this.root = resolve(rootDir);
  }

  /** Sends `name` (relative to the root) or 404. */
  async send(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const file = await this.load(name);
    if (!file) {
      sendError(res, 'NOT_FOUND');
      return;
    }
    const headers: Record<string, string> = {
      'content-type': file.type,
      etag: file.etag,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
    };
    if (file.type.startsWith('text/html')) {
      headers['content-security-policy'] = PAGE_CSP;
      headers['x-frame-options'] = 'DENY';
    } else {
      // widget.js and its stylesheet are loaded by shop pages on other origins.
      headers['access-control-allow-origin'] = '*';
    }
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['content-length'] = String(file.body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  private async load(name: string): Promise<CachedFile | null> {
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
    const file = { body, type, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"` };
    if (this.options.cache !== false) this.cache.set(path, file);
    return file;
  }
}
