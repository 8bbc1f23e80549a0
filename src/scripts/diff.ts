/**
 * Line diff between two versions of the script files, for the history view in the script
 * editor. A small Myers shortest-edit-script implementation: script files are a few hundred
 * lines, so the O((N+M)·D) walk is instant and needs no dependency.
 */

/** One line of a diff: kept (' '), added ('+') or removed ('-'), with 1-based line numbers. */
export interface DiffLine {
  op: ' ' | '+' | '-';
  text: string;
  /** Line number in the old text (absent for added lines). */
  oldLine?: number;
  /** Line number in the new text (absent for removed lines). */
  newLine?: number;
}

/** A run of changes with up to `context` unchanged lines around it. */
export interface DiffHunk {
  oldStart: number;
  newStart: number;
  lines: DiffLine[];
}

export interface FileDiff {
  path: string;
  status: 'added' | 'removed' | 'changed';
  added: number;
  removed: number;
  hunks: DiffHunk[];
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  // A trailing newline ends the last line; it does not start an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Every line of `newText` against `oldText`, in order, as kept/added/removed lines.
 * Removed lines come before the added lines that replace them.
 */
export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  // v[k + offset] = furthest x on diagonal k; one snapshot per edit distance d for backtracking.
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = n === 0 && m === 0;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[k - 1 + offset] ?? 0) < (v[k + 1 + offset] ?? 0));
      let x = down ? (v[k + 1 + offset] ?? 0) : (v[k - 1 + offset] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[k + offset] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    v = next;
  }
  trace.push(v);

  // Walk back from (n, m) through the snapshots to recover the edit path.
  const out: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (vd[k - 1 + offset] ?? 0) < (vd[k + 1 + offset] ?? 0));
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd[prevK + offset] ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      out.push({ op: ' ', text: a[x - 1] ?? '', oldLine: x, newLine: y });
      x--;
      y--;
    }
    if (d === 0) break;
    if (down) {
      out.push({ op: '+', text: b[y - 1] ?? '', newLine: y });
      y--;
    } else {
      out.push({ op: '-', text: a[x - 1] ?? '', oldLine: x });
      x--;
    }
  }
  while (x > 0 && y > 0) {
    out.push({ op: ' ', text: a[x - 1] ?? '', oldLine: x, newLine: y });
    x--;
    y--;
  }
  return out.reverse();
}

/** Groups a full line diff into hunks with `context` unchanged lines around each change. */
export function toHunks(lines: DiffLine[], context = 3): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  const changed = lines.map((l) => l.op !== ' ');
  let i = 0;
  while (i < lines.length) {
    if (!changed[i]) {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    // Extend while the next change is within 2·context unchanged lines, so hunks merge.
    for (let j = i; j < lines.length; j++) {
      if (changed[j]) end = j;
      else if (j - end > 2 * context) break;
    }
    const stop = Math.min(lines.length, end + context + 1);
    const slice = lines.slice(start, stop);
    const first = slice[0];
    hunks.push({
      oldStart: first?.oldLine ?? firstNumber(slice, 'oldLine'),
      newStart: first?.newLine ?? firstNumber(slice, 'newLine'),
      lines: slice,
    });
    i = stop;
  }
  return hunks;
}

function firstNumber(lines: DiffLine[], key: 'oldLine' | 'newLine'): number {
  for (const l of lines) {
    const n = l[key];
    if (n !== undefined) return n;
  }
  return 0;
}

/** File-by-file diff of two complete script file sets; unchanged files are left out. */
export function diffFileSets(oldFiles: Record<string, string>, newFiles: Record<string, string>, context = 3): FileDiff[] {
  const paths = [...new Set([...Object.keys(oldFiles), ...Object.keys(newFiles)])].sort();
  const result: FileDiff[] = [];
  for (const path of paths) {
    const before = oldFiles[path];
    const after = newFiles[path];
    if (before === after) continue;
    const lines = lineDiff(before ?? '', after ?? '');
    result.push({
      path,
      status: before === undefined ? 'added' : after === undefined ? 'removed' : 'changed',
      added: lines.filter((l) => l.op === '+').length,
      removed: lines.filter((l) => l.op === '-').length,
      hunks: toHunks(lines, context),
    });
  }
  return result;
}
