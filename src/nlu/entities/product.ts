/** Size and colour words buyers use in product questions: XL, 38码, 均码, 黑色, 藏青. */
import type { ColorEntity, SizeEntity } from '../types';

const SIZE_RE =
  /(?<![A-Za-z])(?:[2-6]?X{0,3}[SML]|XXS|XS|[2-6]XL|X{1,4}L)(?![A-Za-z])|\d{2,3}(?:\.5)?码|均码|(?<!多)大码|(?<!多)小码|加大码|[一二三四五六七八九]?[XxＸ]?[Ll]码/g;
const COLOR_RE =
  /(?:黑|白|红|蓝|绿|黄|紫|粉|灰|棕|咖啡|咖|米|卡其|橙|银|金|藏青|深蓝|浅蓝|天蓝|酒红|军绿|墨绿|浅灰|深灰|玫红|杏|驼|香槟|玫瑰金)色|藏青|卡其/g;

export function extractSizes(text: string): SizeEntity[] {
  return [...text.matchAll(SIZE_RE)]
    .filter((m) => (m[0] !== '' && !/^[SML]$/.test(m[0])) || (/(?:[SML])(?:码|号)?$/.test(m[0]) && isSizeContext(text, m.index ?? 0, m[0].length)))
    .map((m) => ({
      kind: 'size' as const,
      text: m[0],
      span: { start: m.index ?? 0, end: (m.index ?? 0) + m[0].length },
      value: m[0].toUpperCase(),
    }));
}

// A lone S/M/L is a size only next to size talk (要M的 / M码 / 穿M), not inside words.
function isSizeContext(text: string, index: number, length: number): boolean {
  const around = text.slice(Math.max(0, index - 3), index + length + 3);
  // "黑色M有吗": a colour before it or a stock question after it is size talk too.
  return /码|号|尺|穿|要|换|的|大|小|拿|色|有/.test(around);
}

export function extractColors(text: string): ColorEntity[] {
  return [...text.matchAll(COLOR_RE)].map((m) => ({
    kind: 'color' as const,
    text: m[0],
    span: { start: m.index ?? 0, end: (m.index ?? 0) + m[0].length },
    value: m[0],
  }));
}
