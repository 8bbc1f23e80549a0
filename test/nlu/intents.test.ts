/** Intent files and the shop dictionary as managers edit them: errors point at the line. */
import { parseDictionary, parseIntentFile } from '../../src/nlu';

const valid = `id: return.refund
category: return
description: Refunds
keywords: [退款]
examples:
  - 我要退款
`;

describe('parseIntentFile', () => {
  it('reads a valid file', () => {
    const { intent, errors } = parseIntentFile('intents/return.refund.yaml', valid);
    expect(errors).toEqual([]);
    expect(intent).toMatchObject({ id: 'return.refund', category: 'return', examples: ['我要退款'], keywords: ['退款'], requiresKeyword: false });
  });

  it('reports an unknown category on its line', () => {
    const { intent, errors } = parseIntentFile('intents/return.refund.yaml', valid.replace('category: return', 'category: refunds'));
    expect(intent).toBeUndefined();
    expect(errors[0]).toMatchObject({ file: 'intents/return.refund.yaml', line: 2 });
    expect(errors[0]?.reason).toContain('category');
  });

  it('reports broken YAML with a line number', () => {
    const { errors } = parseIntentFile('intents/return.refund.yaml', 'id: return.refund\nexamples: [a, b\n');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.line).toBeGreaterThanOrEqual(1);
  });

  it('rejects an id that does not match the file name', () => {
    const { errors } = parseIntentFile('intents/return.exchange.yaml', valid);
    expect(errors[0]?.reason).toContain('file name');
  });

  it('reads the conservative options with their defaults', () => {
    const text = valid.replace('keywords: [退款]', 'keywords: [退款]\nrequires_keyword: true\nentity_cues: [money]\ndecisive_keywords: [价保]');
    const { intent, errors } = parseIntentFile('intents/return.refund.yaml', text);
    expect(errors).toEqual([]);
    expect(intent).toMatchObject({ requiresKeyword: true, entityCues: ['money'], decisiveKeywords: ['价保'] });
  });

  it('reads yields_to and holds_with, and reports an unknown category in yields_to', () => {
    const text = valid.replace('keywords: [退款]', 'keywords: [退款]\nyields_to: [bad_review]\nholds_with: [退款]');
    expect(parseIntentFile('intents/return.refund.yaml', text).intent).toMatchObject({ yieldsTo: ['bad_review'], holdsWith: ['退款'] });
    expect(parseIntentFile('intents/return.refund.yaml', valid).intent).toMatchObject({ yieldsTo: [], holdsWith: [] });
    const bad = parseIntentFile('intents/return.refund.yaml', valid.replace('keywords: [退款]', 'keywords: [退款]\nyields_to: [shipping]'));
    expect(bad.intent).toBeUndefined();
    expect(bad.errors[0]?.reason).toContain('yields_to');
  });

  it('rejects requires_keyword without keywords', () => {
    const { errors } = parseIntentFile('intents/return.refund.yaml', valid.replace('keywords: [退款]', 'requires_keyword: true'));
    expect(errors[0]?.reason).toContain('requires_keyword');
  });

  it('rejects an intent without examples', () => {
    const { errors } = parseIntentFile('intents/return.refund.yaml', valid.replace(/examples:[\s\S]*/, 'examples: []\n'));
    expect(errors[0]?.reason).toContain('example');
  });
});

describe('parseDictionary', () => {
  it('reads words with optional frequency and tag, skipping comments', () => {
    const { words, errors } = parseDictionary('# shop words\n包邮 20000 v\n价保\n运费险 n\n');
    expect(errors).toEqual([]);
    expect(words).toEqual([{ word: '包邮', freq: 20000, tag: 'v' }, { word: '价保' }, { word: '运费险', tag: 'n' }]);
  });

  it('reports a bad frequency with its line and keeps the rest', () => {
    const { words, errors } = parseDictionary('包邮\n价保 lots of\n运费险\n');
    expect(words.map((w) => w.word)).toEqual(['包邮', '运费险']);
    expect(errors[0]).toMatchObject({ line: 2 });
  });
});
