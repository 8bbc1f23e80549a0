/**
 * The spill file: makes durable the writes `withOutageFallback` (./outage.ts) acknowledges
 * before Redis confirmed them, so a process that dies during a Redis outage loses none of them.
 *
 * One append-only file per instance in DATA_DIR, `spill-<INSTANCE_ID>.jsonl`, one JSON line per
 * record:
 *
 *   {"n":7,"kind":"message","conversationId":"c_…","message":{…},"seq":12,"opId":"…"}
 *   {"done":7}
 *
 * An entry line is written and fdatasync'd before the caller gets its answer (group commit:
 * the entries of one turn of the event loop share one write and one fdatasync). When Redis
 * confirms the write, a `done` line follows (not synced: losing it only means a harmless
 * idempotent replay). Once every entry is confirmed, the file is truncated to zero, so outside
 * outages it stays empty and costs nothing.
 *
 * At start the file left by an earlier process (and orphans, below) is renamed to
 * `spill-<INSTANCE_ID>.jsonl.recover-<time>-<k>` and read; its unconfirmed entries are replayed
 * into Redis by ./spill-replay.ts, after which those files are deleted. A torn last line (a
 * crash in the middle of a write, so never acknowledged) is ignored; a damaged line in the
 * middle is skipped with a warning and the file kept as `….damaged-<time>`.
 *
 * `spill-<INSTANCE_ID>.lock` (pid and host) keeps two live processes with the same
 * INSTANCE_ID off one file: the second refuses to start. A spill file whose instance is gone
 * (no lock, or the lock's process is not running on this host) is an orphan: the next instance
 * that starts on the same DATA_DIR adopts and replays it, so a restart under a new (random)
 * INSTANCE_ID loses nothing either. Locks written on another host (a DATA_DIR on a network
 * share) are never judged, so a live instance's file is never taken from under it.
 */
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import type { ConversationState } from '../model/conversation';
import { AppError } from '../errors';
import type { StoreLogger } from './shared';
import type { BuyerSession, NewMessage, QueueEntry } from './types';
import { fdatasync, fileLines, fsyncDir, isAlive, writeAll } from './durable-file';

/** A write that can be replayed idempotently (see ./spill-replay.ts for how each is deduplicated). */
export type SpillRecord =
  | {
      kind: 'message';
      conversationId: string;
      message: NewMessage;
      /** The seq the caller was given. */
      seq: number;
      /** Idempotency key of a message without clientId (the one the original append carried). */
      opId?: string;
    }
  | { kind: 'conversation'; state: ConversationState }
  | { kind: 'session'; session: BuyerSession }
  | { kind: 'enqueue'; entry: QueueEntry };

/** An unconfirmed entry: `n` orders entries of one file in the order their writes were issued. */
export interface SpillEntry {
  n: number;
  record: SpillRecord;
}

export interface SpillOptions {
  /** DATA_DIR. Created if missing. */
  dir: string;
  /** INSTANCE_ID: names the file. Letters, digits, _ and - only. */
  instanceId: string;
  logger: StoreLogger;
}

/** What a file read at start held. */
export interface SpillContents {
  /** Unconfirmed entries, in issue order. */
  entries: SpillEntry[];
  /** 1 when the last line was torn (ignored). */
  torn: number;
  /** Lines in the middle that could not be read (skipped). */
  damaged: number;
}

const ID = /^[A-Za-z0-9_-]{1,40}$/;
const SPILL_FILE = /^spill-([A-Za-z0-9_-]{1,40})\.jsonl(?:\.recover-(\d+)-(\d+))?$/;

/** The spill file name of an instance. */
export function spillFileName(instanceId: string): string {
  return `spill-${instanceId}.jsonl`;
}

interface Pending {
  line: string;
  /** Entry lines are synced and answered; done lines are neither. */
  resolve?: (durable: boolean) => void;
  n?: number;
}

/** The open spill file of this process, plus the files it took over at start. */
export class SpillFile {
  readonly file: string;
  private readonly lock: string;
  private fd: number;
  private pending: Pending[] = [];
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  /** Entries written (or being written) and not yet confirmed. */
  private readonly unconfirmed = new Set<number>();
  private bytes = 0;
  private tornTail = false;
  private failure: string | null = null;
  private closed = false;
  /** Files taken over at start, oldest first, until `discardRecovered`. */
  private recovered: string[];

  private constructor(
    private readonly opts: SpillOptions,
    recovered: string[],
  ) {
    this.file = path.join(opts.dir, spillFileName(opts.instanceId));
    this.lock = path.join(opts.dir, `spill-${opts.instanceId}.lock`);
    this.recovered = recovered;
    this.fd = fs.openSync(this.file, 'a');
    fsyncDir(opts.dir); // the new file's name survives a power loss too
  }

  /**
   * Takes the instance's lock, takes over its earlier file and any orphans, and opens a fresh
   * file. Throws AppError INVALID_CONFIG when a live process on this host holds the lock;
   * other errors (unwritable directory …) are thrown as they are.
   */
  static open(opts: SpillOptions): SpillFile {
    if (!ID.test(opts.instanceId)) throw new AppError('INVALID_CONFIG', `INSTANCE_ID ${JSON.stringify(opts.instanceId)} cannot name a spill file`);
    fs.mkdirSync(opts.dir, { recursive: true });
    takeLock(opts.dir, opts.instanceId);
    try {
      const recovered = takeOver(opts);
      return new SpillFile(opts, recovered);
    } catch (err) {
      fs.rmSync(path.join(opts.dir, `spill-${opts.instanceId}.lock`), { force: true });
      throw err;
    }
  }

  /** Files taken over at start (an earlier process's, orphans), oldest first. */
  get recoveredFiles(): readonly string[] {
    return this.recovered;
  }

  /** Reads the taken-over files: their unconfirmed entries in replay order. */
  readRecovered(): SpillContents {
    const all: SpillContents = { entries: [], torn: 0, damaged: 0 };
    for (const file of this.recovered) {
      const c = readSpillFile(file, this.opts.logger);
      all.entries.push(...c.entries);
      all.torn += c.torn;
      all.damaged += c.damaged;
    }
    return all;
  }

  /** Deletes the taken-over files once their entries are in Redis. */
  discardRecovered(): void {
    for (const f of this.recovered) fs.rmSync(f, { force: true });
    this.recovered = [];
    fsyncDir(this.opts.dir);
  }

  /** null while writes succeed, otherwise why the last one failed. */
  get failureReason(): string | null {
    return this.failure;
  }

  /** Entries not yet confirmed by Redis. */
  get unconfirmedCount(): number {
    return this.unconfirmed.size;
  }

  /**
   * Appends an entry and resolves true once it is on disk (fdatasync'd); false when it could
   * not be written (the caller must then wait for Redis instead of answering early).
   */
  append(n: number, record: SpillRecord): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.unconfirmed.add(n);
    return new Promise<boolean>((resolve) => {
      this.pending.push({ line: `${JSON.stringify({ n, ...record })}\n`, resolve, n });
      this.kick();
    });
  }

  /** Redis confirmed entry n. The file is emptied once nothing is unconfirmed. */
  done(n: number): void {
    if (this.closed || !this.unconfirmed.delete(n)) return;
    this.pending.push({ line: `{"done":${n}}\n` });
    this.kick();
  }

  /** Waits for queued lines; removes the file when everything is confirmed, keeps it otherwise. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.idle;
    this.closed = true;
    fs.closeSync(this.fd);
    if (this.unconfirmed.size === 0) {
      fs.rmSync(this.file, { force: true });
    } else {
      this.opts.logger.warn(
        { file: this.file, unconfirmed: this.unconfirmed.size },
        'closing with writes redis has not confirmed; they stay in the spill file and are replayed at the next start',
      );
    }
    fs.rmSync(this.lock, { force: true });
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.idle = new Promise((r) => (this.markIdle = r));
    // setImmediate rather than a microtask: entries queued in this turn of the event loop share one fdatasync.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      const entries = batch.filter((p) => p.resolve);
      const data = (this.tornTail ? '\n' : '') + batch.map((p) => p.line).join('');
      try {
        this.tornTail = true;
        await writeAll(this.fd, data);
        this.tornTail = false;
        this.bytes += Buffer.byteLength(data);
        if (entries.length > 0) await fdatasync(this.fd);
        if (this.failure) this.opts.logger.info({ file: this.file }, 'spill file writes recovered');
        this.failure = null;
        for (const p of entries) p.resolve?.(true);
      } catch (err) {
        this.failure = `spill file write failed: ${(err as Error).message}`;
        this.opts.logger.warn({ file: this.file, err: (err as Error).message }, 'spill file write failed; writes wait for redis instead');
        for (const p of entries) {
          if (p.n !== undefined) this.unconfirmed.delete(p.n);
          p.resolve?.(false);
        }
      }
      if (this.pending.length === 0 && this.unconfirmed.size === 0 && this.bytes > 0) await this.truncate();
    }
    this.running = false;
    this.markIdle();
  }

  /** Everything written is confirmed: start the file over. */
  private async truncate(): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => fs.ftruncate(this.fd, 0, (err) => (err ? reject(err) : resolve())));
      await fdatasync(this.fd);
      this.bytes = 0;
      this.tornTail = false;
    } catch (err) {
      // Harmless: confirmed entries replay idempotently. Try again after the next write.
      this.opts.logger.warn({ file: this.file, err: (err as Error).message }, 'could not empty the spill file');
    }
  }
}

/**
 * Reads one spill file: entries without a `done` line, sorted by n. A torn last line is
 * ignored; a damaged line elsewhere is skipped and the file copied to `….damaged-<time>`.
 */
export function readSpillFile(file: string, logger: StoreLogger): SpillContents {
  const out: SpillContents = { entries: [], torn: 0, damaged: 0 };
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  const byN = new Map<number, SpillEntry>();
  const done = new Set<number>();
  for (const { text, lineNo, last } of fileLines(buf)) {
    const line = parseLine(text);
    if (line && 'done' in line) done.add(line.done);
    else if (line) byN.set(line.n, line);
    else if (last) {
      out.torn += 1;
      logger.warn({ file, line: lineNo }, 'ignoring torn last line of the spill file (a crash during a write: never acknowledged)');
    } else {
      out.damaged += 1;
      logger.warn({ file, line: lineNo }, 'skipping damaged spill file line');
    }
  }
  if (out.damaged > 0) {
    const keep = `${file}.damaged-${Date.now()}`;
    fs.copyFileSync(file, keep);
    logger.warn({ kept: keep, damaged: out.damaged }, 'spill file had damaged lines; a copy is kept');
  }
  out.entries = [...byN.values()].filter((e) => !done.has(e.n)).sort((a, b) => a.n - b.n);
  return out;
}

function parseLine(text: string): SpillEntry | { done: number } | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (Number.isInteger(o['done'])) return { done: o['done'] as number };
  if (!Number.isInteger(o['n'])) return null;
  const { n, ...rest } = o;
  return isRecord(rest) ? { n: n as number, record: rest } : null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isString = (v: unknown): v is string => typeof v === 'string';

function isRecord(r: Record<string, unknown>): r is SpillRecord {
  switch (r['kind']) {
    case 'message': {
      const m = r['message'];
      return (
        isString(r['conversationId']) && Number.isInteger(r['seq']) && isObject(m) && isString(m['from']) && isString(m['text']) && isString(m['at'])
      );
    }
    case 'conversation': {
      const s = r['state'];
      return isObject(s) && isString(s['id']) && isString(s['updatedAt']) && isString(s['createdAt']);
    }
    case 'session': {
      const s = r['session'];
      return isObject(s) && isString(s['buyerId']) && isString(s['resumeToken']) && isString(s['conversationId']);
    }
    case 'enqueue': {
      const e = r['entry'];
      return isObject(e) && isString(e['conversationId']) && isString(e['priority']) && isString(e['enqueuedAt']);
    }
    default:
      return false;
  }
}

interface LockInfo {
  pid: number;
  host: string;
}

function readLock(file: string): LockInfo | 'none' | 'unreadable' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'none' : 'unreadable';
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (Number.isInteger(v.pid) && typeof v.host === 'string') return { pid: v.pid as number, host: v.host };
  } catch {
    // fall through
  }
  return 'unreadable';
}

/** True when the lock belongs to a process that may still be running (or we cannot tell). */
function lockIsLive(info: LockInfo | 'none' | 'unreadable'): boolean {
  if (info === 'none') return false;
  if (info === 'unreadable') return true;
  if (info.host !== hostname()) return true; // another machine's process: never judged from here
  return info.pid !== process.pid && isAlive(info.pid);
}

/** Creates `spill-<id>.lock` atomically (link of a complete temp file), replacing a stale one. */
function takeLock(dir: string, instanceId: string): void {
  const lock = path.join(dir, `spill-${instanceId}.lock`);
  const tmp = `${lock}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, host: hostname() }));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, lock);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
      }
      const holder = readLock(lock);
      if (lockIsLive(holder)) {
        const who = typeof holder === 'object' ? `process ${holder.pid} on ${holder.host}` : 'another process';
        throw new AppError(
          'INVALID_CONFIG',
          `INSTANCE_ID ${instanceId} is in use by ${who} (${lock}); give each instance sharing DATA_DIR its own INSTANCE_ID`,
        );
      }
      fs.rmSync(lock, { force: true }); // stale: its process is gone
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Renames this instance's leftover files and every orphan in the directory to
 * `spill-<id>.jsonl.recover-<time>-<k>` (an atomic rename: two instances starting at once
 * cannot both take one), oldest first. Returns their new paths in replay order.
 */
function takeOver(opts: SpillOptions): string[] {
  const found: { name: string; order: [number, number, number] }[] = [];
  const now = Date.now();
  for (const name of fs.readdirSync(opts.dir)) {
    const m = SPILL_FILE.exec(name);
    if (!m) continue;
    const owner = m[1] as string;
    if (owner !== opts.instanceId && lockIsLive(readLock(path.join(opts.dir, `spill-${owner}.lock`)))) continue;
    const size = safeSize(path.join(opts.dir, name));
    if (size === 0 && m[2] === undefined) {
      fs.rmSync(path.join(opts.dir, name), { force: true }); // an empty file left by a stopped instance
      continue;
    }
    // Files already being recovered first (oldest first), then plain leftovers.
    found.push({ name, order: m[2] !== undefined ? [0, Number(m[2]), Number(m[3])] : [1, now, 0] });
  }
  found.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.order[2] - b.order[2] || (a.name < b.name ? -1 : 1));
  const taken: string[] = [];
  let k = 0;
  for (const f of found) {
    const from = path.join(opts.dir, f.name);
    // New names keep the replay order (same time, rising k) and never overwrite a file.
    let to = path.join(opts.dir, `${spillFileName(opts.instanceId)}.recover-${now}-${k++}`);
    while (fs.existsSync(to)) to = path.join(opts.dir, `${spillFileName(opts.instanceId)}.recover-${now}-${k++}`);
    try {
      fs.renameSync(from, to);
      taken.push(to);
      if (!f.name.startsWith(`spill-${opts.instanceId}.`)) opts.logger.info({ from, to }, 'adopting the spill file of an instance that is gone');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // another instance took it first
    }
  }
  if (taken.length > 0) fsyncDir(opts.dir);
  return taken;
}

function safeSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return -1;
  }
}
