/**
 * Append-only journal for the memory store: one JSON op per line in `<dataDir>/journal.jsonl`.
 *
 * Durability policy (the `fsync` option):
 * - 'always' (default): group commit. Ops queued while a write is in flight are written
 *   together with one write() + fdatasync(), and every caller's promise resolves only after
 *   that fdatasync returned. Since the server acknowledges a buyer message only after
 *   `appendMessage` resolved, an acknowledged message survives a process crash AND a power
 *   loss. The cost is one fdatasync per batch, not per message.
 * - 'interval': promises resolve after write() (data is in the OS page cache, so it survives
 *   SIGKILL of the process) and fdatasync runs every `fsyncIntervalMs` (default 1000 ms). A
 *   power loss or kernel crash can lose up to that interval of acknowledged writes.
 * - 'never': write() only; the OS flushes when it likes. Survives process crashes only.
 *
 * When a write fails (disk full, I/O error) the batch is retried with backoff, in order, and
 * the callers keep waiting: nothing is acknowledged that is not written, and no later op
 * overtakes an earlier one (which would leave a seq gap after reload). `health()` reports the
 * failure meanwhile.
 *
 * Start-up: the journal is replayed; a torn last line (a crash mid-write) is ignored with a
 * warning; a damaged line in the middle (not JSON, an unknown op, a field missing or null) is
 * skipped with a warning naming the file and line, and the original file is kept as
 * `journal-<time>.damaged`. A damaged line loses only itself: a later message of the same
 * conversation is kept, and the seq it leaves out is filled with an internal stand-in marked
 * `meta.lost` (agents see it; buyers do not), and logged. Then the journal is compacted: the
 * current state is written as a fresh journal (temp file, fsync, rename, fsync dir) — but only
 * when the disk has room for that second copy; otherwise, or when the write fails (ENOSPC),
 * start-up goes on with the journal as it is and says why. It is compacted again while running
 * once it grows past `compactBytes` and twice its size after the last compaction, again only
 * with room for the copy.
 *
 * Compaction while running does not hold up writes: the snapshot goes to a temp file in the
 * background while batches keep going to the current journal (and are acknowledged as usual);
 * every line written meanwhile is kept as the "tail". Between two batches the tail is appended
 * to the temp file, which is synced and renamed over the journal. Replay stays correct because
 * ops are idempotent: the snapshot may already contain some tail ops (it is read from live
 * state while being written), and the tail then re-applies them in order.
 *
 * A `LOCK` file holding the pid keeps a second live process off the same directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../../errors';
import type { StoreLogger } from '../shared';
import { isJournalOp, replayOp, snapshotOps, type JournalOp, type MemoryState } from './state';
import { fdatasync, fileLines, fsyncDir, isAlive, writeAll, writeAllSync } from '../durable-file';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface JournalOptions {
  dir: string;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  compactBytes: number;
  logger: StoreLogger;
  /** Called after each batch is written (and synced under 'always'): how long that took, its ops and bytes. */
  onBatch?: (batch: JournalBatch) => void;
}

/** One group-committed journal write, as reported to `onBatch`. */
export interface JournalBatch {
  /** write() plus, under fsync 'always', fdatasync(): what every op in the batch waited for. */
  ms: number;
  ops: number;
  bytes: number;
}

interface PendingWrite {
  line: string;
  resolve: () => void;
}

/** A compaction in progress (see the module comment). */
interface Compaction {
  tmp: string;
  /** Lines written to the current journal since the snapshot began. */
  tail: string[];
  /** Snapshot bytes in `tmp`, once written and synced. */
  bytes: number;
  ready: boolean;
  /** Settles when the snapshot is written (or failed); never rejects. */
  done: Promise<void>;
}

const JOURNAL = 'journal.jsonl';
/** Room kept free beyond the snapshot's estimated size before compacting (at most; 10% for small journals). */
const FREE_SPACE_MARGIN = 1024 * 1024;
const LOCK = 'LOCK';
const MAX_BACKOFF_MS = 5000;
/** Snapshot text serialised per slice while compacting in the background (characters). */
const SNAPSHOT_SLICE_CHARS = 64 * 1024;

export class Journal {
  private readonly opts: JournalOptions;
  private readonly state: MemoryState;
  private readonly file: string;
  private fd: number;
  private pending: PendingWrite[] = [];
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  private fileBytes = 0;
  private snapshotBytes = 0;
  private dirty = false;
  private closed = false;
  private failure: string | null = null;
  /** After a failed write part of a line may be on disk; the next write starts a fresh line. */
  private tornTail = false;
  private readonly syncTimer: NodeJS.Timeout | null = null;
  private compaction: Compaction | null = null;
  /** After a failed compaction, the next attempt waits until this time (epoch ms). */
  private compactRetryAt = 0;
  /** Set by requestCompaction (epoch ms, 0: not wanted): compact with the first batch after it whatever the sizes say. */
  private compactionWantedAt = 0;

  /** Opens (creating if needed) the journal in `opts.dir`, replays it into `state` and compacts it. */
  constructor(opts: JournalOptions, state: MemoryState) {
    this.opts = opts;
    this.state = state;
    this.file = path.join(opts.dir, JOURNAL);
    fs.mkdirSync(opts.dir, { recursive: true });
    this.takeDirLock();
    // A temp file left by a compaction that was interrupted (crash, full disk) is never the journal.
    fs.rmSync(`${this.file}.tmp`, { force: true });
    this.replay();
    const compacted = this.compactAtStart();
    this.fileBytes = compacted ?? this.existingBytes();
    this.snapshotBytes = compacted ?? this.fileBytes;
    try {
      this.fd = fs.openSync(this.file, this.appendFlags());
    } catch (err) {
      throw new AppError('STORE_UNAVAILABLE', `cannot open the journal ${this.file} for writing: ${(err as Error).message}`, undefined, {
        cause: err,
      });
    }
    if (opts.fsync === 'interval') {
      this.syncTimer = setInterval(() => this.periodicSync(), opts.fsyncIntervalMs);
      this.syncTimer.unref();
    }
  }

  /** Resolves once the op is written under the fsync policy; never rejects while open. */
  write(op: JournalOp): Promise<void> {
    return this.writeLine(`${JSON.stringify(op)}\n`);
  }

  /**
   * Like `write` for an op the caller already serialised: `line` must be exactly
   * `JSON.stringify(op) + '\n'` (saves serialising large values twice).
   */
  writeLine(line: string): Promise<void> {
    if (this.closed) return Promise.reject(new AppError('STORE_UNAVAILABLE', 'Store is closed'));
    return new Promise<void>((resolve) => {
      this.pending.push({ line, resolve });
      this.kick();
    });
  }

  /**
   * Compacts soon even below the size thresholds: after much was removed (retention), so the
   * journal and the next start-up replay shrink now, not once it doubled. Requests in a row
   * (one per removed batch) push it back, so a long removal compacts once, after it.
   */
  requestCompaction(delayMs = 5000): void {
    this.compactionWantedAt = Date.now() + delayMs;
  }

  /** null when the last write succeeded, otherwise why writes are being retried. */
  get failureReason(): string | null {
    return this.failure;
  }

  /** Waits for queued writes, fsyncs, and releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.idle;
    if (this.compaction) {
      // A finished snapshot wakes the writer, which swaps it in; wait for both.
      await this.compaction.done;
      await this.idle;
    }
    this.closed = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    try {
      fs.fdatasyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
      fs.rmSync(path.join(this.opts.dir, LOCK), { force: true });
    }
  }

  /**
   * Under fsync 'always', where the system has O_DSYNC (Linux, macOS), the journal is opened
   * with it: each write returns once its data is durable, as write + fdatasync did, but in one
   * call to the thread pool instead of two, so a batch waits on the event loop once, not
   * twice (which matters when the loop is busy). Elsewhere, write then fdatasync.
   */
  private appendFlags(): string | number {
    const { O_WRONLY, O_APPEND, O_CREAT, O_DSYNC } = fs.constants;
    return this.dsync ? O_WRONLY | O_APPEND | O_CREAT | (O_DSYNC as number) : 'a';
  }

  private get dsync(): boolean {
    return this.opts.fsync === 'always' && typeof fs.constants.O_DSYNC === 'number';
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.idle = new Promise((r) => (this.markIdle = r));
    // setImmediate rather than a microtask: ops queued by other I/O callbacks in this turn of
    // the event loop join the same batch.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    let backoff = 50;
    while (this.pending.length > 0 || this.compaction?.ready) {
      if (this.compaction?.ready) {
        await this.finishCompaction();
        continue;
      }
      const batch = this.pending.splice(0);
      try {
        if (!this.compaction && this.shouldCompact() && Date.now() >= this.compactRetryAt) this.startCompaction();
        const lines = batch.map((p) => p.line).join('');
        const data = (this.tornTail ? '\n' : '') + lines;
        const started = performance.now();
        this.tornTail = true;
        await writeAll(this.fd, data);
        this.tornTail = false;
        const bytes = Buffer.byteLength(data);
        this.fileBytes += bytes;
        // Opened with O_DSYNC (see appendFlags) the write itself returned once durable.
        if (this.opts.fsync === 'always' && !this.dsync) await fdatasync(this.fd);
        else if (this.opts.fsync !== 'always') this.dirty = true;
        this.opts.onBatch?.({ ms: performance.now() - started, ops: batch.length, bytes });
        this.compaction?.tail.push(lines);
        if (this.failure) this.opts.logger.info({ dir: this.opts.dir }, 'journal writes recovered');
        this.failure = null;
        backoff = 50;
        for (const p of batch) p.resolve();
      } catch (err) {
        this.failure = `journal write failed: ${(err as Error).message}`;
        this.opts.logger.warn({ dir: this.opts.dir, err: (err as Error).message, retryInMs: backoff }, 'journal write failed; retrying');
        // Put the batch back in front, keeping order, and retry it.
        this.pending.unshift(...batch);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    this.running = false;
    this.markIdle();
  }

  private periodicSync(): void {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    fs.fdatasync(this.fd, (err) => {
      if (err) {
        this.dirty = true;
        this.opts.logger.warn({ dir: this.opts.dir, err: err.message }, 'journal fdatasync failed');
      }
    });
  }

  private shouldCompact(): boolean {
    const wanted = this.compactionWantedAt > 0 && Date.now() >= this.compactionWantedAt;
    if (wanted) this.compactionWantedAt = 0;
    if (!wanted && !(this.fileBytes > this.opts.compactBytes && this.fileBytes > 2 * this.snapshotBytes)) return false;
    // The snapshot is at most about the live state: the last snapshot plus what was written since.
    if (this.hasRoomFor(this.fileBytes)) return true;
    this.compactRetryAt = Date.now() + 60_000;
    return false;
  }

  private existingBytes(): number {
    try {
      return fs.statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  /** Free bytes on the journal's file system, or undefined when it cannot be told. */
  private freeBytes(): number | undefined {
    try {
      const st = fs.statfsSync(this.opts.dir);
      return st.bavail * st.bsize;
    } catch {
      return undefined;
    }
  }

  /** True when a copy of about `bytes` fits next to the journal; warns (naming sizes) when not. */
  private hasRoomFor(bytes: number): boolean {
    const free = this.freeBytes();
    if (bytes === 0 || free === undefined || free >= bytes + Math.min(FREE_SPACE_MARGIN, Math.ceil(bytes / 10))) return true;
    this.opts.logger.warn(
      { dir: this.opts.dir, file: this.file, journalBytes: bytes, freeBytes: free },
      'not compacting the journal: the disk has no room for the compacted copy; free some space (the journal keeps working meanwhile)',
    );
    return false;
  }

  /**
   * Start-up compaction when the disk has room for the copy. Returns the compacted size, or
   * undefined when the journal stays as it was (no room, or the write failed: ENOSPC).
   */
  private compactAtStart(): number | undefined {
    if (!this.hasRoomFor(this.existingBytes())) return undefined;
    try {
      return this.writeSnapshotSync();
    } catch (err) {
      fs.rmSync(`${this.file}.tmp`, { force: true });
      const code = (err as NodeJS.ErrnoException).code;
      this.opts.logger.warn(
        { dir: this.opts.dir, file: `${this.file}.tmp`, code, err: (err as Error).message },
        code === 'ENOSPC'
          ? 'start-up compaction stopped: the disk is full (ENOSPC); keeping the journal as it is — free some space'
          : 'start-up compaction failed; keeping the journal as it is',
      );
      return undefined;
    }
  }

  /** Starts writing the snapshot in the background; lines written from now on form the tail. */
  private startCompaction(): void {
    const c: Compaction = { tmp: `${this.file}.tmp`, tail: [], bytes: 0, ready: false, done: Promise.resolve() };
    c.done = this.writeSnapshot(c.tmp).then(
      (bytes) => {
        c.bytes = bytes;
        c.ready = true;
        this.kick(); // the writer swaps it in between two batches
      },
      (err: unknown) => this.abandonCompaction(c, err),
    );
    this.compaction = c;
  }

  /** Writes the current state as ops to `tmp`, a chunk at a time (the event loop keeps running). */
  private async writeSnapshot(tmp: string): Promise<number> {
    const fh = await fs.promises.open(tmp, 'w');
    let bytes = 0;
    try {
      let chunk: string[] = [];
      let chunkLength = 0;
      const flush = async (): Promise<void> => {
        const data = chunk.join('');
        chunk = [];
        chunkLength = 0;
        bytes += Buffer.byteLength(data);
        await fh.write(data);
      };
      for (const op of snapshotOps(this.state)) {
        const line = `${JSON.stringify(op)}\n`;
        chunk.push(line);
        chunkLength += line.length;
        // Small slices: each is serialised between two turns of the event loop, so a large
        // state never holds up the buyers' turns for more than a millisecond or so.
        if (chunkLength >= SNAPSHOT_SLICE_CHARS) await flush();
      }
      await flush();
      await fh.datasync();
    } finally {
      await fh.close();
    }
    return bytes;
  }

  /** Appends the tail to the snapshot and puts it in place. Runs only between two batches. */
  private async finishCompaction(): Promise<void> {
    const c = this.compaction;
    if (!c) return;
    let tail: string;
    try {
      tail = c.tail.join('');
      const fh = await fs.promises.open(c.tmp, 'a');
      try {
        await fh.write(tail);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await fs.promises.rename(c.tmp, this.file);
    } catch (err) {
      this.abandonCompaction(c, err);
      return;
    }
    fsyncDir(this.opts.dir);
    // Renamed: from here on only the new file counts, so no write goes anywhere until it is open.
    for (let backoff = 50; ; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      try {
        const fd = fs.openSync(this.file, this.appendFlags());
        fs.closeSync(this.fd);
        this.fd = fd;
        break;
      } catch (err) {
        this.failure = `journal reopen failed: ${(err as Error).message}`;
        this.opts.logger.warn(
          { dir: this.opts.dir, err: (err as Error).message, retryInMs: backoff },
          'journal reopen after compaction failed; retrying',
        );
        await sleep(backoff);
      }
    }
    this.tornTail = false;
    this.snapshotBytes = c.bytes;
    this.fileBytes = c.bytes + Buffer.byteLength(tail);
    this.compaction = null;
    this.opts.logger.info({ dir: this.opts.dir, bytes: this.fileBytes }, 'journal compacted');
  }

  /** The journal as it is stays complete; drop the temp file and try again later. */
  private abandonCompaction(c: Compaction, err: unknown): void {
    if (this.compaction === c) this.compaction = null;
    this.compactRetryAt = Date.now() + MAX_BACKOFF_MS;
    fs.rm(c.tmp, { force: true }, () => undefined);
    this.opts.logger.warn({ dir: this.opts.dir, err: (err as Error).message }, 'journal compaction failed; will retry');
  }

  private replay(): void {
    if (!fs.existsSync(this.file)) return;
    const buf = fs.readFileSync(this.file);
    let damaged = 0;
    for (const { text, lineNo, last } of fileLines(buf)) {
      const parsed = parseLine(text);
      let problem = typeof parsed === 'string' ? parsed : undefined;
      if (typeof parsed !== 'string') {
        try {
          const { applied, filled } = replayOp(this.state, parsed);
          if (filled.length > 0 && parsed.t === 'msg') {
            this.opts.logger.warn(
              { file: this.file, line: lineNo, conversationId: parsed.v.conversationId, lostSeqs: filled },
              'messages missing before this journal line (damaged lines); kept the later ones and marked the gap as lost',
            );
          }
          if (applied) continue;
          problem = 'op does not fit the state before it';
        } catch (err) {
          problem = `op could not be applied: ${(err as Error).message}`;
        }
      }
      if (last) {
        this.opts.logger.warn({ file: this.file, line: lineNo, problem }, 'ignoring torn last line of journal (crash during a write)');
      } else {
        damaged += 1;
        this.opts.logger.warn({ file: this.file, line: lineNo, problem }, `skipping damaged journal line ${lineNo} of ${this.file}`);
      }
    }
    if (damaged > 0) {
      const keep = path.join(this.opts.dir, `journal-${new Date().toISOString().replace(/[:.]/g, '-')}.damaged`);
      try {
        fs.copyFileSync(this.file, keep);
        this.opts.logger.warn({ file: this.file, kept: keep, damaged }, 'journal had damaged lines; original kept');
      } catch (err) {
        fs.rmSync(keep, { force: true });
        this.opts.logger.warn(
          { file: this.file, damaged, err: (err as Error).message },
          'journal had damaged lines; could not keep a copy of the original',
        );
      }
    }
  }

  private writeSnapshotSync(): number {
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    let bytes = 0;
    try {
      let chunk: string[] = [];
      const flush = (): void => {
        const data = chunk.join('');
        bytes += Buffer.byteLength(data);
        writeAllSync(fd, data);
        chunk = [];
      };
      for (const op of snapshotOps(this.state)) {
        chunk.push(`${JSON.stringify(op)}\n`);
        if (chunk.length >= 1000) flush();
      }
      flush();
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    fsyncDir(this.opts.dir);
    return bytes;
  }

  private takeDirLock(): void {
    const lock = path.join(this.opts.dir, LOCK);
    try {
      const holder = Number(fs.readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new AppError('INVALID_CONFIG', `DATA_DIR ${this.opts.dir} is in use by process ${holder}`);
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      // No lock file (or unreadable): the directory is free.
    }
    fs.writeFileSync(lock, `${process.pid}\n`);
  }
}

/** The op on a line, or why the line is not one. */
function parseLine(text: string): JournalOp | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  return isJournalOp(value) ? value : 'not a journal op (unknown type, or a field missing or null)';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
