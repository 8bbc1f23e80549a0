/** Normalization as a buyer's message arrives: full-width, Traditional, emoticons, mojibake, long input. */
import fc from 'fast-check';
import { EMOTICON_TOKEN, MAX_TEXT_CHARS, normalize } from '../../src/nlu/normalize';

/** What a client that shows UTF-8 bytes as GBK produces. */
const asMojibake = (text: string): string => new TextDecoder('gbk').decode(Buffer.from(text, 'utf8'));

describe('normalize', () => {
  it('turns full-width letters and digits into ASCII (NFKC)', () => {
    expect(normalize('ＡＢ１２３').text).toBe('AB123');
  });

  it('converts Traditional to Simplified and says so', () => {
    const n = normalize('淘寶售後');
    expect(n.text).toBe('淘宝售后');
    expect(n.flags.traditional).toBe(true);
  });

  it('leaves Simplified text alone', () => {
    const n = normalize('这个能便宜点吗');
    expect(n.text).toBe('这个能便宜点吗');
    expect(n.flags).toMatchObject({ traditional: false, mojibakeRepaired: false, garbled: false, truncated: false });
  });

  it('replaces platform emoticon codes with one neutral token', () => {
    const n = normalize('好的[微笑]/:^_^#E-s12😊');
    expect(n.text).toBe(`好的${EMOTICON_TOKEN.repeat(4)}`);
    expect(n.flags.emoticons).toBe(4);
  });

  it('collapses whitespace and trims', () => {
    expect(normalize('  什么时候 \t\n 发货  ').text).toBe('什么时候 发货');
  });

  it('repairs UTF-8 shown as GBK and flags it', () => {
    const n = normalize(asMojibake('收货地址写错了'));
    expect(n.text).toBe('收货地址写错了');
    expect(n.flags.mojibakeRepaired).toBe(true);
  });

  it('repairs a line whose last byte the GBK display lost, guessing only that last character', () => {
    // GBK shows the lone final byte as U+FFFD: everything before it is recovered exactly.
    const n = normalize(asMojibake('我想问下售后什么时候发货'));
    expect(n.text.startsWith('我想问下售后什么时候发')).toBe(true);
    expect(n.flags.mojibakeRepaired).toBe(true);
  });

  it("reads a final '?' or '？' standing in for the lost last byte as that byte", () => {
    // 我想退货 shown as GBK: the lone last byte of 货 is printed as a question mark.
    for (const shown of ['鎴戞兂閫€璐?', '鎴戞兂閫€璐？']) {
      const n = normalize(shown);
      expect(n.text).toBe('我想退货');
      expect(n.flags).toMatchObject({ mojibakeRepaired: true, garbled: false });
    }
  });

  it('keeps a real question mark after mojibake that ends on a whole character', () => {
    const n = normalize(`${asMojibake('我想退货吗')}?`);
    expect(n.text).toBe('我想退货吗?');
    expect(n.flags.mojibakeRepaired).toBe(true);
  });

  it('repairs the mojibake from the shop manual even with a character lost in display', () => {
    expect(normalize('娣樺疂鍞悗').text).toBe('淘宝售后');
  });

  it('flags irreparable mojibake as garbled instead of guessing', () => {
    const n = normalize('鍞鍚庨渶瑕佸仛浠涔鍞鍚庨');
    expect(n.flags.garbled).toBe(true);
  });

  it('cuts over-long input at the cap and flags it', () => {
    const n = normalize('退'.repeat(MAX_TEXT_CHARS + 50));
    expect(n.flags.truncated).toBe(true);
    expect(n.text.length).toBe(MAX_TEXT_CHARS);
  });

  it('is stable: normalizing twice changes nothing', () => {
    const once = normalize('淘寶 ＡＢ [微笑] 可以嗎').text;
    expect(normalize(once).text).toBe(once);
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const n = normalize(s);
        expect(typeof n.text).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary GBK-decoded bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const n = normalize(new TextDecoder('gbk').decode(bytes));
        expect(typeof n.text).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});
