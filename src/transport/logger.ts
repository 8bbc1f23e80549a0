/**
 * Structured JSON logs (pino) with phone numbers masked. Buyers paste phone numbers into
 * chat and addresses carry them; logs are read by more people than the data is meant for,
 * so every string that reaches a log line passes through maskPhones first.
 */
import pino, { type Logger, type DestinationStream } from 'pino';
import { maskPhonesInText } from '../replies/mask-phones';

export type { Logger } from 'pino';

export { maskPhonesInText };

/** Deep-copies a log value with every string masked (cycles and depth are bounded). */
export function maskPhones(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhonesInText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: maskPhonesInText(value.message), stack: value.stack ? maskPhonesInText(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((v) => maskPhones(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskPhones(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

/** Creates the process logger: JSON lines, ISO time, phones masked in messages and fields. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => maskPhones(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          // Mask the message string and any interpolation arguments; objects go through formatters.log.
          const masked = args.map((a) => (typeof a === 'string' ? maskPhonesInText(a) : a)) as Parameters<typeof method>;
          method.apply(this, masked);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
