/**
 * A small HTTP router and WebSocket path registry. Each concern (health, storefront,
 * buyer chat, agent console, script editor, metrics) registers its own routes and socket
 * paths on the app; the server dispatches by method and path and answers errors from the
 * catalogue as JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { AppError, ERRORS, isAppError, type ErrorCode } from '../errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Values of `:name` segments in the route pattern. */
  params: Record<string, string>;
  /** Client IP (read from X-Forwarded-For as TRUST_PROXY says; src/transport/client-address.ts). */
  ip: string;
}

export type RouteHandler = (ctx: RouteContext) => Promise<void> | void;

/** Handles an upgraded socket on a registered path; errors thrown are logged and close it with 1011. */
export type SocketHandler = (ws: WebSocket, req: IncomingMessage, ctx: { url: URL; ip: string }) => void;

interface Route {
  method: HttpMethod;
  /** Segments; ':x' captures, a trailing '*' captures the rest as params['*']. */
  segments: string[];
  handler: RouteHandler;
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_JSON: 400,
  BAD_FRAME: 400,
  UNKNOWN_TYPE: 400,
  TEXT_TOO_LONG: 413,
  FRAME_TOO_LARGE: 413,
  EMPTY_TEXT: 400,
  RATE_LIMITED: 429,
  TOO_MANY_CONNECTIONS: 429,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  SHUTTING_DOWN: 503,
  STORE_UNAVAILABLE: 503,
  INVALID_SCRIPT: 422,
  TEMPLATE_ERROR: 422,
  SHOP_UNAVAILABLE: 503,
  FILE_TOO_LARGE: 413,
  BAD_FILE_TYPE: 415,
};

/** HTTP status for an error code (500 for anything unlisted). */
export function httpStatusFor(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 500;
}

/** Writes a JSON body with no-store caching. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/** Writes `{ error: { code, message, details? } }` with the status that fits the code. */
export function sendError(res: ServerResponse, code: ErrorCode, message?: string, details?: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, httpStatusFor(code), { error: { code, message: message ?? ERRORS[code].message, details } });
}

/** Reads a request body up to `limit` bytes and parses it as JSON (BAD_JSON / FRAME_TOO_LARGE). */
export async function readJsonBody(req: IncomingMessage, limit = 256 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new AppError('FRAME_TOO_LARGE', `Body is larger than ${limit} bytes`);
    chunks.push(buf);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    throw new AppError('BAD_JSON', 'Body is not valid JSON');
  }
}

/** Method + path routing with `:param` and trailing `*` segments. First registered match wins. */
export class Router {
  private readonly routes: Route[] = [];
  private readonly sockets = new Map<string, SocketHandler>();

  /** Registers an HTTP route, e.g. `router.add('GET', '/api/scripts/intents/:id', h)`. */
  add(method: HttpMethod, pattern: string, handler: RouteHandler): this {
    this.routes.push({ method, segments: splitPath(pattern), handler });
    return this;
  }

  get(pattern: string, handler: RouteHandler): this {
    return this.add('GET', pattern, handler);
  }

  post(pattern: string, handler: RouteHandler): this {
    return this.add('POST', pattern, handler);
  }

  put(pattern: string, handler: RouteHandler): this {
    return this.add('PUT', pattern, handler);
  }

  delete(pattern: string, handler: RouteHandler): this {
    return this.add('DELETE', pattern, handler);
  }

  /** Registers the handler for WebSocket upgrades on an exact path such as '/ws/agent'. */
  socket(path: string, handler: SocketHandler): this {
    if (this.sockets.has(path)) throw new Error(`socket path ${path} registered twice`);
    this.sockets.set(path, handler);
    return this;
  }

  socketHandler(path: string): SocketHandler | undefined {
    return this.sockets.get(path);
  }

  /** Finds the route for a request: the handler and params, or whether the path exists under another method. */
  match(method: string, pathname: string): { handler: RouteHandler; params: Record<string, string> } | { allowed: HttpMethod[] } {
    const parts = splitPath(pathname);
    const allowed: HttpMethod[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { handler: route.handler, params };
      allowed.push(route.method);
    }
    return { allowed };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i] as string;
    if (seg === '*' && i === pattern.length - 1) {
      params['*'] = parts.slice(i).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (seg.startsWith(':')) {
      try {
        params[seg.slice(1)] = decodeURIComponent(part);
      } catch {
        return null;
      }
    } else if (seg !== part) return null;
  }
  return parts.length === pattern.length ? params : null;
}

/** The part of the logger a failed request is reported to. */
export interface RequestFailureLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Logs a request that failed. A 4xx AppError is the client's mistake (a missing token, a bad
 * body, an unknown id): one info line with its code and no stack, so operators are not paged
 * by every unauthenticated poll. Anything answered with 5xx (or not an AppError) is ours and
 * is logged at error level with the error itself, stack included.
 */
export function logRequestFailure(log: RequestFailureLog, err: unknown, path: string): void {
  if (isAppError(err)) {
    const status = httpStatusFor(err.code);
    if (status < 500) {
      log.info({ path, status, code: err.code, reason: err.message }, 'request refused');
      return;
    }
  }
  log.error({ err, path }, 'request failed');
}

/** Maps any thrown value to an error response; unknown errors become INTERNAL without leaking details. */
export function errorToResponse(res: ServerResponse, err: unknown): void {
  if (isAppError(err)) sendError(res, err.code, err.message, err.details);
  else sendError(res, 'INTERNAL');
}
