/**
 * The training corpus (intents/corpus/*.tsv, made by tools/corpus/generate.ts): the format the
 * model reads, known intent ids, meaningful themes, no duplicates (exact or after the pipeline's
 * normalization), and zero overlap with the measuring file when it is on this machine.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIntentsDir } from '../../src/nlu/load';
import { dedupeKey, devPath } from '../../tools/corpus/checks';

const ROOT = join(__dirname, '..', '..');
const CORPUS = join(ROOT, 'intents', 'corpus');
const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.tsv'))
  .sort();
const rows = files.flatMap((file) =>
  readFileSync(join(CORPUS, file), 'utf8')
    .split('\n')
    .map((line, i) => ({ file, n: i + 1, line }))
    .filter((r) => r.line !== ''),
);

describe('training corpus', () => {
  it('is as wide as the issue asks: 15,000 lines over at least 25 product families', () => {
    expect(files).toContain('general.tsv');
    expect(files.length - 1).toBeGreaterThanOrEqual(25);
    expect(rows.length).toBeGreaterThanOrEqual(15000);
  });

  it('covers every intent and, in every product family, faults told by their symptom', () => {
    const { intents } = loadIntentsDir(join(ROOT, 'intents'));
    const seen = new Set(rows.map((r) => r.line.split('\t')[1]));
    expect(intents.map((i) => i.id).filter((id) => !seen.has(id))).toEqual([]);
    const themes = new Set(rows.map((r) => r.line.split('\t')[2]));
    const families = files.map((f) => f.replace(/\.tsv$/, '')).filter((f) => f !== 'general');
    expect(families.filter((f) => !themes.has(`${f}/fault-symptom`) || !themes.has(`${f}/usage`))).toEqual([]);
  });

  it('has tab-separated columns: text, a known intent id, a family/situation theme, and for grammar fillings a frame id', () => {
    const { intents, errors } = loadIntentsDir(join(ROOT, 'intents'));
    expect(errors).toEqual([]);
    const ids = new Set(intents.map((i) => i.id));
    const bad: string[] = [];
    for (const r of rows) {
      const cols = r.line.split('\t');
      const [text, intent, theme, frame] = cols;
      const family = r.file.replace(/\.tsv$/, '');
      const ok =
        (cols.length === 3 || (cols.length === 4 && /^f[0-9a-z]+$/.test(frame ?? ''))) &&
        text !== undefined &&
        text.trim() === text &&
        text !== '' &&
        intent !== undefined &&
        ids.has(intent) &&
        theme !== undefined &&
        /^[a-z0-9-]+\/[a-z0-9-]+$/.test(theme) &&
        theme.startsWith(`${family}/`);
      if (!ok) bad.push(`${r.file}:${r.n}: ${r.line}`);
    }
    expect(bad).toEqual([]);
  });

  it('has no duplicate texts, exactly or after normalization', () => {
    const exact = new Map<string, string>();
    const norm = new Map<string, string>();
    const dupes: string[] = [];
    for (const r of rows) {
      const text = r.line.split('\t')[0] ?? '';
      const where = `${r.file}:${r.n}`;
      const key = dedupeKey(text);
      const before = exact.get(text) ?? norm.get(key);
      if (before !== undefined) dupes.push(`${where} repeats ${before}: ${text}`);
      exact.set(text, where);
      norm.set(key, where);
    }
    expect(dupes).toEqual([]);
  });

  const dev = devPath(ROOT);
  (dev === undefined ? it.skip : it)('shares no sentence and no 6-character run with the measuring file', () => {
    let out = '';
    let status = 0;
    try {
      out = execFileSync(
        process.execPath,
        [
          join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          join(ROOT, 'tools', 'check-dev-overlap.ts'),
          dev as string,
          join(ROOT, 'intents'),
          '--summary',
        ],
        { encoding: 'utf8' },
      );
    } catch (e) {
      const err = e as { status?: number; stdout?: string };
      status = err.status ?? 1;
      out = err.stdout ?? '';
    }
    expect(out).toMatch(new RegExp(`corpus ${rows.length} lines in ${files.length} files, 0 overlaps`));
    expect(status).toBe(0);
  });
});
