import fc from 'fast-check';
import { diffFileSets, lineDiff, toHunks } from '../../src/scripts/diff';

function apply(lines: ReturnType<typeof lineDiff>): { before: string[]; after: string[] } {
  return {
    before: lines.filter((l) => l.op !== '+').map((l) => l.text),
    after: lines.filter((l) => l.op !== '-').map((l) => l.text),
  };
}

describe('lineDiff', () => {
  it('marks a changed reply line as one removal and one addition', () => {
    const d = lineDiff('id: a\n- 亲，在的\n- 好的\n', 'id: a\n- 亲，在的呢\n- 好的\n');
    expect(d.filter((l) => l.op !== ' ')).toEqual([
      { op: '-', text: '- 亲，在的', oldLine: 2 },
      { op: '+', text: '- 亲，在的呢', newLine: 2 },
    ]);
  });

  it('reports nothing changed for identical text', () => {
    expect(lineDiff('a\nb\n', 'a\nb\n').every((l) => l.op === ' ')).toBe(true);
  });

  it('handles empty sides', () => {
    expect(lineDiff('', 'x\ny').map((l) => l.op)).toEqual(['+', '+']);
    expect(lineDiff('x\ny', '').map((l) => l.op)).toEqual(['-', '-']);
    expect(lineDiff('', '')).toEqual([]);
  });

  it('always reconstructs both the old and the new text (property)', () => {
    const line = fc.constantFrom('a', 'b', 'c', '亲', '');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.array(line, { maxLength: 30 }), (a, b) => {
        const d = lineDiff(a.join('\n'), b.join('\n'));
        const r = apply(d);
        expect(r.before.join('\n')).toBe(a.join('\n').replace(/\n$/, ''));
        expect(r.after.join('\n')).toBe(b.join('\n').replace(/\n$/, ''));
      }),
    );
  });

  it('a single inserted line costs exactly one edit', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 20 }), fc.nat(), (a, at) => {
        const lines = a.map((s) => s.replace(/[\r\n]/g, '') + 'x');
        const b = [...lines];
        b.splice(at % (lines.length + 1), 0, 'NEW');
        const d = lineDiff(lines.join('\n'), b.join('\n'));
        expect(d.filter((l) => l.op !== ' ')).toHaveLength(1);
      }),
    );
  });
});

describe('toHunks', () => {
  it('keeps three lines of context and merges nearby changes', () => {
    const old = Array.from({ length: 30 }, (_, i) => `l${i + 1}`);
    const neu = [...old];
    neu[9] = 'changed10';
    neu[12] = 'changed13';
    neu[27] = 'changed28';
    const hunks = toHunks(lineDiff(old.join('\n'), neu.join('\n')));
    expect(hunks).toHaveLength(2);
    expect(hunks[0]?.oldStart).toBe(7);
    expect(hunks[1]?.lines.some((l) => l.text === 'changed28')).toBe(true);
  });
});

describe('diffFileSets', () => {
  it('lists added, removed and changed files and skips unchanged ones', () => {
    const d = diffFileSets(
      { 'intents/a.yaml': 'x\n', 'intents/b.yaml': 'y\n', 'templates/a.yaml': 'same\n' },
      { 'intents/a.yaml': 'x2\n', 'intents/c.yaml': 'z\n', 'templates/a.yaml': 'same\n' },
    );
    expect(d.map((f) => [f.path, f.status, f.added, f.removed])).toEqual([
      ['intents/a.yaml', 'changed', 1, 1],
      ['intents/b.yaml', 'removed', 0, 1],
      ['intents/c.yaml', 'added', 1, 0],
    ]);
  });
});
