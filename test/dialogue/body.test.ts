/** Reading a buyer's height and weight as typed, and the size a chart recommends for them. */
import { chartIndex, readBody, recommendSize } from '../../src/dialogue/body';
import type { SizeChartRow } from '../../src/shop/types';

describe('readBody', () => {
  it.each([
    ['身高165 体重110斤', { heightCm: 165, weightKg: 55 }],
    ['我170 130斤', { heightCm: 170, weightKg: 65 }],
    ['1米65，55kg', { heightCm: 165, weightKg: 55 }],
    ['1.72m 体重68公斤', { heightCm: 172, weightKg: 68 }],
    ['一米六五 九十斤', { heightCm: 165, weightKg: 45 }],
    ['一米六', { heightCm: 160 }],
    ['158cm', { heightCm: 158 }],
    ['体重一百二十斤', { weightKg: 60 }],
    ['体重110', { weightKg: 55 }],
    ['体重58', { weightKg: 58 }],
    ['我170穿L可以吗', { heightCm: 170 }],
  ])('%s', (text, body) => {
    expect(readBody(text)).toEqual(body);
  });

  it('finds nothing in messages without a build: prices, sizes, order numbers', () => {
    for (const text of ['168包邮行吗', '我要170的那款', '有什么尺码', '穿M可以吗', '订单号 230911112222', '180块能卖吗', '黑色的有吗']) {
      expect(readBody(text)).toEqual({});
    }
  });
});

describe('recommendSize', () => {
  const chart: SizeChartRow[] = [
    { size: 'S', heightCm: [150, 157], weightKg: [38, 45] },
    { size: 'M', heightCm: [158, 165], weightKg: [45, 55] },
    { size: 'L', heightCm: [166, 172], weightKg: [55, 63] },
  ];

  it('picks the row both measures fit', () => {
    expect(recommendSize(chart, { heightCm: 165, weightKg: 50 })).toBe('M');
    expect(recommendSize(chart, { heightCm: 152, weightKg: 40 })).toBe('S');
  });

  it('lets weight decide when height and weight point to different sizes, and never goes smaller', () => {
    expect(recommendSize(chart, { heightCm: 160, weightKg: 60 })).toBe('L');
    // On a shared boundary the larger size: a size too small cannot be worn.
    expect(recommendSize(chart, { weightKg: 55 })).toBe('L');
  });

  it('works from one measure, and gives nothing without any or without a chart', () => {
    expect(recommendSize(chart, { heightCm: 170 })).toBe('L');
    expect(recommendSize(chart, {})).toBeUndefined();
    expect(recommendSize(undefined, { heightCm: 170 })).toBeUndefined();
  });

  it('orders sizes by their chart row', () => {
    expect(chartIndex(chart, 'm')).toBe(1);
    expect(chartIndex(chart, 'XL')).toBe(-1);
  });
});
