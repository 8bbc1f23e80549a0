/**
 * Trained models on disk, keyed by a hash of everything training reads: the intent files'
 * content, the shop dictionary, the corpus, the lexicons, the options and the NLU code itself.
 * Training with the corpus and the held-out calibration takes seconds; a server restart, a
 * test file or a CLI run with unchanged inputs loads the result in milliseconds instead.
 * Files are written to a temp name and renamed, so concurrent writers never leave half a file;
 * a file that does not read back is ignored (and retrained over).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NluModelData } from './index';

/** The NLU's own source files (src/nlu or dist/nlu): a code change must not load an old model. */
let codeHash: string | undefined;
function nluCodeHash(): string {
  if (codeHash !== undefined) return codeHash;
  const h = createHash('sha256');
  try {
    for (const name of readdirSync(__dirname).sort()) {
      if (!/\.(ts|js)$/.test(name)) continue;
      h.update(name)
        .update('\0')
        .update(readFileSync(join(__dirname, name)))
        .update('\0');
    }
  } catch {
    h.update('unknown');
  }
  codeHash = h.digest('hex');
  return codeHash;
}

/** The cache key of a training: the inputs as JSON-able values (typed arrays are not allowed here). */
export function trainingKey(inputs: unknown): string {
  return createHash('sha256').update(nluCodeHash()).update(JSON.stringify(inputs)).digest('hex').slice(0, 32);
}

type Typed = Int32Array | Float32Array;
const TYPES = { Int32Array, Float32Array } as const;

/** JSON header with the typed arrays moved into one binary tail. */
export function encodeModelData(data: NluModelData): Buffer {
  const blobs: Buffer[] = [];
  let offset = 0;
  const header = JSON.stringify(data, (_key, value: unknown) => {
    if (value instanceof Int32Array || value instanceof Float32Array) {
      const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      const ref = { $typed: value instanceof Int32Array ? 'Int32Array' : 'Float32Array', offset, length: value.length };
      blobs.push(buf);
      offset += buf.length;
      return ref;
    }
    return value;
  });
  const head = Buffer.from(header, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length, 0);
  return Buffer.concat([len, head, ...blobs]);
}

/** The inverse of {@link encodeModelData}; throws on a damaged file. */
export function decodeModelData(buf: Buffer): NluModelData {
  const headLen = buf.readUInt32LE(0);
  const body = 4 + headLen;
  return JSON.parse(buf.subarray(4, body).toString('utf8'), (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && '$typed' in value) {
      const ref = value as { $typed: keyof typeof TYPES; offset: number; length: number };
      const Ctor = TYPES[ref.$typed];
      const bytes = ref.length * Ctor.BYTES_PER_ELEMENT;
      if (body + ref.offset + bytes > buf.length) throw new Error('model cache file is truncated');
      // Copy into a fresh, aligned buffer (the file's bytes may sit at any offset).
      const out: Typed = new Ctor(ref.length);
      Buffer.from(out.buffer).set(buf.subarray(body + ref.offset, body + ref.offset + bytes));
      return out;
    }
    return value;
  }) as NluModelData;
}

/** Files kept per cache directory; the least recently written go first. */
const KEEP = 12;

/** The cached data for `key`, or undefined. Never throws. */
export function readCachedModel(dir: string, key: string): NluModelData | undefined {
  try {
    return decodeModelData(readFileSync(join(dir, `${key}.nlu`)));
  } catch {
    return undefined;
  }
}

/** Stores the data for `key` (temp file + rename) and prunes old files. Never throws: a cache is optional. */
export function writeCachedModel(dir: string, key: string, data: NluModelData): void {
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.${key}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    writeFileSync(tmp, encodeModelData(data));
    renameSync(tmp, join(dir, `${key}.nlu`));
    const files = readdirSync(dir)
      .filter((n) => n.endsWith('.nlu'))
      .map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const f of files.slice(KEEP)) unlinkSync(join(dir, f.n));
  } catch {
    // A read-only disk or a race with another pruner costs only the next start-up's time.
  }
}
