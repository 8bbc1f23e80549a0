/**
 * Durable append-only files, shared by the embedded store's journal (memory/journal.ts) and the
 * outage spill file (spill.ts): whole writes, fdatasync, directory fsync after a rename, and the
 * pid check behind their lock files.
 */
import * as fs from 'node:fs';

/** Whether a process with this pid is alive on this host (EPERM: alive, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes a rename in `dir` durable. Some filesystems refuse fsync on a directory; the rename is
 * still atomic there, only its durability is left to the OS.
 */
export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* see above */
  }
}

/** Writes all of `data` (a write may take only part of it). */
export function writeAllSync(fd: number, data: string): void {
  let buf = Buffer.from(data);
  while (buf.length > 0) {
    const n = fs.writeSync(fd, buf);
    buf = buf.subarray(n);
  }
}

/** Writes all of `data` without blocking the event loop. */
export async function writeAll(fd: number, data: string): Promise<void> {
  let buf = Buffer.from(data);
  while (buf.length > 0) {
    const n = await new Promise<number>((resolve, reject) => fs.write(fd, buf, (err, written) => (err ? reject(err) : resolve(written))));
    buf = buf.subarray(n);
  }
}

export function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

/** The non-blank lines of an append-only file's contents; `last` marks a line without its newline (torn by a crash). */
export function* fileLines(buf: Buffer): Generator<{ text: string; lineNo: number; last: boolean }> {
  let start = 0;
  let lineNo = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(10, start);
    const end = nl === -1 ? buf.length : nl;
    const text = buf.toString('utf8', start, end);
    lineNo += 1;
    start = end + 1;
    if (text.trim() !== '') yield { text, lineNo, last: nl === -1 };
  }
}
