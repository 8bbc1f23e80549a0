/**
 * Stage 1 of understanding: turn whatever the buyer's client sent into clean Simplified
 * Chinese text that every later stage can rely on.
 *
 * Order matters: NFKC first (full-width digits and letters become ASCII so the mojibake test
 * and the entity regexes see one form), then emoticon codes, then mojibake repair (it must
 * see the original code points), then Traditional → Simplified, then whitespace.
 */
import { Jieba } from '@node-rs/jieba';
import { dict as bundledDict } from '@node-rs/jieba/dict';
import type { Normalized, NormalizeFlags } from './types';

/** Longer input is cut to this many characters and flagged `truncated`. */
export const MAX_TEXT_CHARS = 1000;

/** What every platform emoticon code becomes. It matches the emoticon pattern itself, so normalizing twice is stable. */
export const EMOTICON_TOKEN = '[表情]';

// [微笑] (Taobao/JD), /:^_^ (Wangwang/QQ), #E-s12 (JD mobile), and Unicode pictographs.
// A skin-tone modifier belongs to the pictograph before it (👌🏻 is one emoticon).
const EMOTICON_RE =
  /\[[\u4e00-\u9fff]{1,4}\]|\/:[!"$-.0-Z\\\]-~]{1,5}|#E-s\d{1,4}|\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}]?(?:\uFE0F|\u200D\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}]?)*/gu;
/**
 * Gestures buyers send as a whole answer ("👌" = 好的, "🙏" = 谢谢) become those words, so an
 * acknowledgement is read as one while a row of laughing faces stays a bare emoticon.
 */
const GESTURE_WORDS: ReadonlyMap<number, string> = new Map([
  [0x1f44c, '好的'], // 👌
  [0x1f44d, '好的'], // 👍
  [0x1f64f, '谢谢'], // 🙏
]);
// Zero-width and control characters that clients leak into messages.
const INVISIBLE_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B-\u200F\u2028\u2029\u2060\uFEFF]/g;
// Lone surrogates (e.g. an emoji cut in half by a length cap) are dropped.
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const WHITESPACE_RE = /\s+/g;
// Cheap non-unicode pre-checks so the common message skips the costlier replacements.
const SURROGATE_RE = /[\uD800-\uDFFF]/;
const INVISIBLE_HINT_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B-\u200F\u2028\u2029\u2060\uFEFF]/;
const EMOTICON_HINT_RE = /[[/#\u00a9\u00ae\u203c-\u3299\uD83C-\uD83E]/;
const CJK_RE = /[\u4e00-\u9fff]/;

// opencc-js ships its typings as an ES module, which a CommonJS build cannot import; its UMD
// build is plain CommonJS, so it is required with the small shape we use.
type DictGroup = ReadonlyArray<string | ReadonlyArray<string | readonly string[]>>;
interface OpenCCModule {
  Converter(options: { from: string; to: string }): (text: string) => string;
  Locale: { from: Record<string, DictGroup>; to: Record<string, DictGroup> };
}
let toSimplifiedFn: ((text: string) => string) | undefined;
/** Per BMP code point: 1 when the tw→cn dictionaries convert that character on its own. */
let convertible: Uint8Array | undefined;

function markDictionary(group: DictGroup | undefined, marks: Uint8Array): void {
  const visit = (d: unknown): void => {
    if (typeof d === 'string') {
      // "key value|key value|…": mark single-character keys that change. Phrase entries contain
      // such a character too (about 160 of 1,600 do not: rare variant spellings we accept to
      // miss). Scanned in place: splitting the ~1 MB of dictionaries cost ~60 ms at start-up.
      let p = 0;
      while (p < d.length) {
        const bar = d.indexOf('|', p);
        const end = bar < 0 ? d.length : bar;
        if (d.charCodeAt(p + 1) === 0x20 && end - p >= 3 && d.charCodeAt(p + 2) !== d.charCodeAt(p)) marks[d.charCodeAt(p)] = 1;
        p = end + 1;
      }
    } else if (Array.isArray(d)) d.forEach(visit);
  };
  visit(group);
}

/**
 * opencc-js Traditional (Taiwan) → Simplified (mainland), built on first use (~10 ms). Most
 * messages contain no convertible character, so a table check skips the converter for them.
 */
export function toSimplified(text: string): string {
  if (!toSimplifiedFn || !convertible) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const opencc = require('opencc-js') as OpenCCModule;
    toSimplifiedFn = opencc.Converter({ from: 'tw', to: 'cn' });
    const marks = new Uint8Array(0x10000);
    markDictionary(opencc.Locale.from.tw, marks);
    markDictionary(opencc.Locale.to.cn, marks);
    // Characters every Simplified text uses (GB2312 level 1: 么, 后, 里, 干 …) also appear as
    // dictionary keys; on their own they are Simplified, and calling the converter for them
    // cost ~5 µs on most messages (什么 …). A Traditional-only neighbour still triggers it.
    const classes = charClasses();
    for (let c = 0; c < marks.length; c++) if ((classes[c] as number) & COMMON) marks[c] = 0;
    convertible = marks;
  }
  for (let i = 0; i < text.length; i++) if (convertible[text.charCodeAt(i)]) return toSimplifiedFn(text);
  return text;
}

/* ---------------- GBK tables for mojibake repair ---------------- */

let gbkTable: Map<string, number> | undefined;
/** char → GBK double-byte code, built once by decoding every GBK pair (a few ms). */
function gbkCodes(): Map<string, number> {
  if (gbkTable) return gbkTable;
  const table = new Map<string, number>();
  const decoder = new TextDecoder('gbk');
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    const bytes: number[] = [];
    const trails: number[] = [];
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      bytes.push(lead, trail);
      trails.push(trail);
    }
    const row = decoder.decode(Uint8Array.from(bytes));
    // One character per pair keeps positions aligned; otherwise decode pair by pair.
    const aligned = row.length === trails.length;
    trails.forEach((trail, i) => {
      const ch = aligned ? row[i] : decoder.decode(Uint8Array.from([lead, trail]));
      if (ch !== undefined && ch.length === 1 && ch !== '\uFFFD' && !table.has(ch)) table.set(ch, lead * 256 + trail);
    });
  }
  gbkTable = table;
  return table;
}

const SHAPED = 1;
const COMMON = 2;
let charClass: Uint8Array | undefined;
/**
 * Per BMP code point: SHAPED when its GBK bytes look like a slice of UTF-8 (lead E4–E9 with a
 * continuation trail, or a continuation-range lead), COMMON when it is GB2312 level 1. A typed
 * array keeps the per-message check to a tight loop.
 */
function charClasses(): Uint8Array {
  if (charClass) return charClass;
  const classes = new Uint8Array(0x10000);
  const cont = (b: number): boolean => b >= 0x80 && b <= 0xbf;
  const utf8Lead = (b: number): boolean => b >= 0xe4 && b <= 0xe9;
  for (const [ch, code] of gbkCodes()) {
    const cp = ch.charCodeAt(0);
    const lead = code >> 8;
    const trail = code & 0xff;
    let c = 0;
    if ((utf8Lead(lead) && cont(trail)) || (cont(lead) && (cont(trail) || utf8Lead(trail)))) c |= SHAPED;
    if (lead >= 0xb0 && lead <= 0xd7 && trail >= 0xa1) c |= COMMON;
    classes[cp] = c;
  }
  charClass = classes;
  return classes;
}

/** Share of CJK characters of mojibake shape. Clean text scores well under 0.5, UTF-8 shown as GBK near 1. */
function mojibakeShape(text: string): { cjk: number; share: number } {
  const classes = charClasses();
  let cjk = 0;
  let shaped = 0;
  for (let i = 0; i < text.length; i++) {
    const cp = text.charCodeAt(i);
    if (cp < 0x4e00 || cp > 0x9fff) continue;
    cjk++;
    if ((classes[cp] ?? 0) & SHAPED) shaped++;
  }
  return { cjk, share: cjk === 0 ? 0 : shaped / cjk };
}

/** Index of the first byte that breaks UTF-8, or -1 when the whole buffer is valid. */
function firstUtf8Error(bytes: readonly number[], from = 0): number {
  let i = from;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

let puaPairs: number[][] | undefined;
/**
 * GBK pairs that decode to private-use characters. Those characters vanish when mojibake is
 * displayed or copied, which is why real mojibake is often missing a pair (娣樺疂鍞悗 lost the
 * pair between 鍞 and 悗). They are the candidates for re-insertion.
 */
function privateUsePairs(): number[][] {
  if (puaPairs) return puaPairs;
  const pairs: number[][] = [];
  for (const [ch, code] of gbkCodes()) {
    const cp = ch.codePointAt(0) ?? 0;
    const lead = code >> 8;
    // Only pairs whose first byte can continue a UTF-8 sequence can have been cut out of one.
    if (cp >= 0xe000 && cp <= 0xf8ff && lead >= 0x80 && lead <= 0xbf) pairs.push([lead, code & 0xff]);
  }
  puaPairs = pairs;
  return pairs;
}

/** How Chinese-looking a decoded piece is: common (GB2312 level-1) characters count. */
function plainness(text: string): number {
  const classes = charClasses();
  let score = 0;
  for (let i = 0; i < text.length; i++) if ((classes[text.charCodeAt(i)] ?? 0) & COMMON) score++;
  return score;
}

/** Optional scorer for repair candidates, e.g. how many dictionary words jieba finds. */
export type WordScorer = (text: string) => number;

let bundledJieba: Jieba | undefined;
/**
 * Default scorer when the caller has no segmenter: jieba with its bundled dictionary, loaded
 * only the first time a message needs repair (~200 ms once).
 */
function bundledWordScore(text: string): number {
  bundledJieba ??= Jieba.withDict(bundledDict);
  let n = 0;
  for (const t of bundledJieba.cut(text, false)) if (t.length >= 2 && CJK_RE.test(t)) n++;
  return n;
}

/**
 * Clients that cannot show a lone final byte print '?' (or '？') in its place: 鎴戞兂閫€璐? is
 * 我想退货 with the last byte of 货 lost. A final question mark counts as that lost byte when
 * the bytes before it end inside a UTF-8 sequence; a real question mark after a whole character
 * is kept.
 */
function dropLostByteMark(bytes: number[], endsWithQuestionMark: boolean): number[] {
  if (!endsWithQuestionMark) return bytes;
  const before = bytes.slice(0, -1);
  const err = firstUtf8Error(before);
  return err >= 0 && err >= before.length - 2 && (before[err] ?? 0) >= 0xe0 ? before : bytes;
}

let bundledDictBytes: Buffer | undefined;
/** How often jieba's bundled dictionary says `word` occurs (0 when it is not listed). */
function dictFrequency(word: string): number {
  bundledDictBytes ??= Buffer.from(bundledDict.buffer, bundledDict.byteOffset, bundledDict.byteLength);
  const at = bundledDictBytes.indexOf(`\n${word} `);
  if (at < 0) return 0;
  const lineEnd = bundledDictBytes.indexOf(0x0a, at + 1);
  const fields = bundledDictBytes.toString('utf8', at + 1, lineEnd < 0 ? undefined : lineEnd).split(' ');
  return Number(fields[1]) || 0;
}

/**
 * Of equally scored guesses for a lost last character, the likeliest by jieba's counts: the
 * word it ends (退货 34 against 退败 3) weighs a hundred times its own count, so a common
 * character that ends no listed word still wins over a rare pairing (错了 against 错事).
 */
function mostFrequentEnding<T extends { tail: string }>(ties: readonly T[]): T {
  let best = ties[0] as T;
  let bestFreq = -1;
  for (const t of ties) {
    const chars = [...t.tail];
    const last = chars[chars.length - 1] ?? '';
    const freq = (chars.length >= 2 ? 100 * dictFrequency(chars.slice(-2).join('')) : 0) + dictFrequency(last);
    if (freq > bestFreq) {
      best = t;
      bestFreq = freq;
    }
  }
  return best;
}

/** Re-encode as GBK and decode as UTF-8; undefined when the round trip does not give clean text. */
function roundTrip(text: string, wordScore?: WordScorer): string | undefined {
  const table = gbkCodes();
  let bytes: number[] = [];
  const trimmed = text.trimEnd();
  const questionMark = trimmed.endsWith('?') || trimmed.endsWith('\uFF1F');
  text = questionMark ? trimmed.slice(0, -1) + '?' : text;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) {
      bytes.push(cp);
      continue;
    }
    // GBK shows a lone 0x80 as €, and a cut-off final sequence as U+FFFD (bytes lost).
    if (ch === '\u20ac') {
      bytes.push(0x80);
      continue;
    }
    if (ch === '\uFFFD') continue;
    const code = table.get(ch);
    if (code === undefined) return undefined;
    bytes.push(code >> 8, code & 0xff);
  }
  bytes = restoreLostPairs(dropLostByteMark(bytes, questionMark), wordScore);
  const decoded = new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
  // A lost trailing byte or an odd split leaves a few replacement marks: tolerate some, drop them.
  const bad = (decoded.match(/\uFFFD/g) ?? []).length;
  const chars = [...decoded].length;
  if (chars === 0 || bad > Math.max(1, chars * 0.15)) return undefined;
  const repaired = decoded.replace(/\uFFFD/g, '');
  if (!CJK_RE.test(repaired)) return undefined;
  // The repaired text must itself look clean, or we would "repair" real text into noise.
  return mojibakeShape(repaired).share < 0.5 ? repaired : undefined;
}

/**
 * Where UTF-8 breaks, try re-inserting one vanished private-use pair just before the break and
 * keep the insertion that decodes furthest and reads most like Chinese. Greedy, a few rounds.
 */
function restoreLostPairs(input: number[], wordScore?: WordScorer): number[] {
  let bytes = input;
  for (let round = 0; round < 8; round++) {
    const err = firstUtf8Error(bytes);
    if (err < 0) return bytes;
    // A sequence cut off by the end (GBK showed the lone last byte as U+FFFD): with one byte
    // missing, guess the continuation byte that reads best; with more, drop the stub.
    if (err >= bytes.length - 2 && (bytes[err] ?? 0) >= 0xe0) {
      if (err !== bytes.length - 2) return bytes.slice(0, err);
      let best: { bytes: number[]; score: number; tail: string } | undefined;
      const ties: { bytes: number[]; tail: string }[] = [];
      for (let cont = 0x80; cont <= 0xbf; cont++) {
        const candidate = [...bytes, cont];
        const tail = new TextDecoder('utf-8').decode(Uint8Array.from(candidate.slice(Math.max(0, err - 6))));
        const score = plainness(tail) + (wordScore ? 2 * wordScore(tail) : 0);
        if (!best || score > best.score) {
          best = { bytes: candidate, score, tail };
          ties.length = 0;
        }
        if (score === best.score) ties.push({ bytes: candidate, tail });
      }
      if (!best || best.score <= 0) return bytes.slice(0, err);
      // 想退货 and 想退败 both read as words: the more frequent last word is the likelier guess.
      return ties.length > 1 ? mostFrequentEnding(ties).bytes : best.bytes;
    }
    let best: { bytes: number[]; reach: number; score: number } | undefined;
    // The pair boundary to insert at is within the 3-byte sequence that broke.
    for (let at = Math.max(0, err - 3); at <= err && at <= bytes.length; at++) {
      for (const pair of privateUsePairs()) {
        const candidate = [...bytes.slice(0, at), ...pair, ...bytes.slice(at)];
        const next = firstUtf8Error(candidate, Math.max(0, err - 3));
        const reach = next < 0 ? candidate.length : next;
        if (reach <= err) continue;
        const lo = Math.max(0, at - 6);
        const window = new TextDecoder('utf-8').decode(Uint8Array.from(candidate.slice(lo, Math.min(reach, at + 9))));
        const score = plainness(window) + (wordScore ? 2 * wordScore(window) : 0);
        if (!best || reach > best.reach + 3 || (reach >= best.reach - 3 && score > best.score)) {
          best = { bytes: candidate, reach, score };
        }
      }
    }
    if (!best) return bytes;
    bytes = best.bytes;
  }
  return bytes;
}

/** Looks like UTF-8 shown as GBK: enough CJK, nearly all of mojibake shape. */
function looksLikeMojibake(text: string): boolean {
  const { cjk, share } = mojibakeShape(text);
  return cjk >= 2 && share >= 0.8;
}

/**
 * Repair UTF-8-shown-as-GBK text. Some clients also converted the mojibake to Traditional
 * (the manual in domain/seeds shows that), so a failed attempt is retried on the Simplified form.
 */
export function repairMojibake(text: string, wordScore: WordScorer = bundledWordScore, simplified = toSimplified(text)): string | undefined {
  if (!looksLikeMojibake(text) && (simplified === text || !looksLikeMojibake(simplified))) return undefined;
  return roundTrip(text, wordScore) ?? (simplified !== text ? roundTrip(simplified, wordScore) : undefined);
}

/* ---------------- the stage ---------------- */

function emptyFlags(): NormalizeFlags {
  return { mojibakeRepaired: false, garbled: false, truncated: false, traditional: false, emoticons: 0 };
}

/** Options for {@link normalize}. */
export interface NormalizeOptions {
  /** Scores mojibake repair candidates (the pipeline passes a jieba word counter). */
  wordScore?: WordScorer;
}

// Quick filter: only text with a character outside ASCII/common CJK can need the costly steps.
// Per BMP code point, learnt on first sight (no start-up cost): does NFKC leave it alone?
// 0 = not seen yet, 1 = stable, 2 = NFKC may change it (or it composes with a neighbour).
const nfkcMemo = new Uint8Array(0x10000);
const COMBINING_RE = /\p{M}/u;
function nfkcUnstable(c: number): boolean {
  let m = nfkcMemo[c] as number;
  if (m === 0) {
    const s = String.fromCharCode(c);
    // Surrogates, combining marks and Hangul jamo may change with their neighbours.
    const composes =
      (c >= 0xd800 && c <= 0xdfff) ||
      (c >= 0x1100 && c <= 0x11ff) ||
      (c >= 0xa960 && c <= 0xa97f) ||
      (c >= 0xd7b0 && c <= 0xd7ff) ||
      COMBINING_RE.test(s);
    m = composes || s.normalize('NFKC') !== s ? 2 : 1;
    nfkcMemo[c] = m;
  }
  return m === 2;
}
// The same for plane 1 (emoji live there): a code point NFKC leaves alone that is no mark.
const nfkcMemoPlane1 = new Uint8Array(0x10000);
function astralUnstable(cp: number): boolean {
  if (cp < 0x10000 || cp > 0x1ffff) return true;
  let m = nfkcMemoPlane1[cp - 0x10000] as number;
  if (m === 0) {
    const s = String.fromCodePoint(cp);
    m = COMBINING_RE.test(s) || s.normalize('NFKC') !== s ? 2 : 1;
    nfkcMemoPlane1[cp - 0x10000] = m;
  }
  return m === 2;
}
/** Full-width ASCII (U+FF01–U+FF5E) and the ideographic space: NFKC maps each to one ASCII character. */
const isFullWidth = (c: number): boolean => (c >= 0xff01 && c <= 0xff5e) || c === 0x3000;
/** NFKC of text whose only unstable characters are full-width ones (scan's FULL_WIDTH without NEEDS_NFKC). */
function mapFullWidth(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isFullWidth(c)) continue;
    out += text.slice(from, i) + String.fromCharCode(c === 0x3000 ? 0x20 : c - 0xfee0);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

// What one pass over the text found, so each costly step runs only when it can change something.
const HAS_NON_ASCII = 1;
const NEEDS_NFKC = 2;
const HAS_HINT = 4; // emoticon, invisible, surrogate or odd whitespace: the regex steps run
const NEEDS_SPACE_WORK = 8;
const FULL_WIDTH = 16; // full-width ASCII or U+3000, which NFKC maps one to one

function scan(text: string): number {
  let found = 0;
  let prevSpace = true; // a leading space needs trimming
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x20) {
        if (prevSpace) found |= NEEDS_SPACE_WORK;
        prevSpace = true;
        continue;
      }
      prevSpace = false;
      // [ / # start emoticon codes; control characters and tabs/newlines need the slower steps.
      if (c < 0x20 || c === 0x7f || c === 0x5b || c === 0x2f || c === 0x23) found |= HAS_HINT;
      continue;
    }
    prevSpace = false;
    found |= HAS_NON_ASCII;
    if (c >= 0x4e00 && c <= 0x9fff) continue; // CJK unified ideographs: NFKC-stable, no hint
    if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair (an emoji): NFKC is needed only when that code point changes or is a mark.
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        found |= HAS_HINT;
        if (astralUnstable(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000)) found |= NEEDS_NFKC;
        i++;
        continue;
      }
    }
    if (isFullWidth(c)) found |= FULL_WIDTH;
    else if (nfkcUnstable(c)) found |= NEEDS_NFKC;
    // Pictographs (surrogates, ©®, U+203C–U+3299), zero-width and other invisible characters, Unicode spaces.
    if ((c >= 0xd800 && c <= 0xdfff) || c === 0xa9 || c === 0xae || (c >= 0x2000 && c <= 0x3299) || c === 0xfeff || c === 0xa0 || c === 0x85)
      found |= HAS_HINT;
  }
  if (prevSpace && text.length > 0) found |= NEEDS_SPACE_WORK;
  return found;
}

/**
 * Normalize one buyer message. Never throws: any string (even lone surrogates) gives a result.
 * `raw` is kept unchanged; `text` is what segmentation, entities and the classifier read.
 * One pass over the characters first decides which steps can change anything: most messages
 * need no NFKC (plain Han and ASCII), no emoticon or invisible-character replacement.
 */
export function normalize(raw: string, options: NormalizeOptions = {}): Normalized {
  const flags = emptyFlags();
  let text = typeof raw === 'string' ? raw : String(raw);
  if (text.length > MAX_TEXT_CHARS) {
    text = text.slice(0, MAX_TEXT_CHARS);
    flags.truncated = true;
  }
  let found = scan(text);
  if (found & HAS_HINT) {
    if (SURROGATE_RE.test(text)) text = text.replace(LONE_SURROGATE_RE, '');
  }
  // NFKC turns some characters into spaces (U+3000, U+00A0 …: those are hints) and full-width
  // punctuation into ASCII, which needs no whitespace pass.
  // Only characters NFKC changes need it (each other character was checked on its own and none
  // composes with a neighbour); when those are all full-width ASCII, a table maps them.
  if (found & (NEEDS_NFKC | FULL_WIDTH)) {
    text = found & NEEDS_NFKC ? text.normalize('NFKC') : mapFullWidth(text);
    // A few compatibility characters decompose to a space plus a mark.
    if (text.includes('  ') || text.charCodeAt(0) === 0x20 || text.charCodeAt(text.length - 1) === 0x20) found |= NEEDS_SPACE_WORK;
  }
  if (found & HAS_HINT) {
    if (INVISIBLE_HINT_RE.test(text)) text = text.replace(INVISIBLE_RE, '');
    if (EMOTICON_HINT_RE.test(text)) {
      text = text.replace(EMOTICON_RE, (m) => {
        flags.emoticons++;
        return GESTURE_WORDS.get(m.codePointAt(0) ?? 0) ?? EMOTICON_TOKEN;
      });
    }
    found |= NEEDS_SPACE_WORK;
  }
  if (found & HAS_NON_ASCII) {
    let simplified = toSimplified(text);
    // The mojibake shape is read once: plain text (the common case) skips the repair and the garbled check.
    const shape = mojibakeShape(text);
    const suspicious = (shape.cjk >= 2 && shape.share >= 0.8) || (simplified !== text && looksLikeMojibake(simplified));
    const repaired = suspicious ? repairMojibake(text, options.wordScore ?? bundledWordScore, simplified) : undefined;
    if (repaired !== undefined) {
      text = repaired.normalize('NFKC');
      simplified = toSimplified(text);
      flags.mojibakeRepaired = true;
    }
    if (simplified !== text) {
      flags.traditional = true;
      text = simplified;
    }
    flags.garbled = !flags.mojibakeRepaired && (suspicious || flags.traditional || text.includes('\uFFFD')) && isGarbled(text);
    if (flags.mojibakeRepaired || flags.traditional) found |= NEEDS_SPACE_WORK; // repaired text may hold any spaces
  }
  if (found & NEEDS_SPACE_WORK) text = text.replace(WHITESPACE_RE, ' ').trim();
  return { raw, text, flags };
}

/** Irreparable noise: mojibake that did not round-trip, or mostly replacement characters. */
function isGarbled(text: string): boolean {
  if (text.includes('\uFFFD')) {
    const bad = text.split('\uFFFD').length - 1;
    if (bad >= 2 && bad >= text.length * 0.2) return true;
  }
  const { cjk, share } = mojibakeShape(text);
  return cjk >= 4 && share >= 0.8;
}
