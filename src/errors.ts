/**
 * The error catalogue: every error the system reports to a client or operator has a stable
 * code, a human message and, for socket errors, the WebSocket close code used when the
 * error ends the connection.
 */

export const ERRORS = {
  BAD_JSON: { message: 'Frame is not valid JSON', close: 1007 },
  BAD_FRAME: { message: 'Frame does not match the protocol', close: 1008 },
  UNKNOWN_TYPE: { message: 'Unknown frame type', close: 1008 },
  BINARY_FRAME: { message: 'Binary frames are not accepted; send JSON text', close: 1003 },
  FRAME_TOO_LARGE: { message: 'Frame is larger than the limit', close: 1009 },
  TEXT_TOO_LONG: { message: 'Message text is longer than the limit', close: 1008 },
  EMPTY_TEXT: { message: 'Message text is empty', close: 1008 },
  RATE_LIMITED: { message: 'Too many messages; slow down', close: 1008 },
  TOO_MANY_CONNECTIONS: { message: 'Too many connections from this address', close: 1013 },
  UNAUTHORIZED: { message: 'A valid token is required', close: 1008 },
  /** The shop's signed buyer identity did not verify; the socket continues as an anonymous buyer. */
  BAD_BUYER_SIGNATURE: { message: 'Shop buyer signature does not match; continuing as an anonymous buyer', close: 1008 },
  FORBIDDEN: { message: 'This token may not do that', close: 1008 },
  NOT_FOUND: { message: 'Not found', close: 1008 },
  CONFLICT: { message: 'Conflicting state', close: 1008 },
  SHUTTING_DOWN: { message: 'Server is shutting down', close: 1001 },
  STORE_UNAVAILABLE: { message: 'Storage is unavailable; retrying', close: 1011 },
  INTERNAL: { message: 'Internal error', close: 1011 },
  INVALID_CONFIG: { message: 'Invalid configuration', close: 1011 },
  INVALID_SCRIPT: { message: 'Script failed validation', close: 1008 },
  TEMPLATE_ERROR: { message: 'Template failed to render', close: 1011 },
  /** The shop's system (SHOP_API_URL) did not answer or answered nonsense: the bot hands off rather than guess. */
  SHOP_UNAVAILABLE: { message: 'The shop system is unavailable', close: 1011 },
  /** An uploaded file is too large, or not an image type we accept (checked by content). */
  FILE_TOO_LARGE: { message: 'File is larger than the limit', close: 1009 },
  BAD_FILE_TYPE: { message: 'Only JPEG, PNG, WebP and GIF images are accepted', close: 1003 },
  /** The client stopped reading: its unsent frames passed MAX_SOCKET_BUFFER_BYTES. */
  SLOW_CONSUMER: { message: 'The connection is not reading its messages; closed to protect the server', close: 1008 },
  /** The socket sent INVALID_FRAME_LIMIT invalid frames in one window and nothing valid. */
  INVALID_FLOOD: { message: 'Too many invalid frames; connection closed', close: 1008 },
  /** Too many new buyer sessions from one address (NEW_SESSIONS_PER_IP). */
  TOO_MANY_SESSIONS: { message: 'Too many new conversations from this address; try again later', close: 1013 },
  /** No hello (or first message) within HELLO_TIMEOUT_MS of connecting. */
  HELLO_TIMEOUT: { message: 'No hello received in time', close: 1008 },
  /** Nothing received for IDLE_SOCKET_TIMEOUT_MS. */
  IDLE_TIMEOUT: { message: 'Connection idle for too long', close: 1000 },
  /** The page's Origin is not in ALLOWED_ORIGINS. */
  ORIGIN_NOT_ALLOWED: { message: 'This page may not connect here', close: 1008 },
} as const satisfies Record<string, { message: string; close: number }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a stable code from the catalogue and optional structured details. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown, options?: { cause?: unknown }) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get closeCode(): number {
    return ERRORS[this.code].close;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
