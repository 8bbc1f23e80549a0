/** Report periods: shop-time days, defaults, limits, bucket keys. */
import { addDays, bucketCount, bucketIndex, bucketKey, MAX_DAYS, parsePeriod, PeriodError, shopDay } from '../../src/reports/period';

const NOW = Date.parse('2026-12-05T17:30:00.000Z'); // 01:30 on 12-06 in China

describe('parsePeriod', () => {
  it('defaults to the shop’s last seven days by day', () => {
    const p = parsePeriod({}, 480, NOW);
    expect(p).toMatchObject({ from: '2026-11-30', to: '2026-12-06', bucket: 'day' });
    // 2026-11-30 00:00 in UTC+8 is 11-29 16:00Z; the end is 12-07 00:00 shop time.
    expect(new Date(p.startMs).toISOString()).toBe('2026-11-29T16:00:00.000Z');
    expect(new Date(p.endMs).toISOString()).toBe('2026-12-06T16:00:00.000Z');
    expect(bucketCount(p)).toBe(7);
  });

  it('follows the shop’s offset, not the server’s', () => {
    expect(parsePeriod({}, 0, NOW).to).toBe('2026-12-05');
    expect(shopDay(NOW, 480)).toBe('2026-12-06');
  });

  it('refuses bad dates, reversed and too long ranges, unknown buckets', () => {
    const codes = (q: Record<string, string>): string => {
      try {
        parsePeriod(q, 480, NOW);
        return 'ok';
      } catch (err) {
        return err instanceof PeriodError ? err.code : 'other';
      }
    };
    expect(codes({ from: '2026-02-29', to: '2026-03-01' })).toBe('BAD_DATE'); // 2026 is no leap year
    expect(codes({ from: '12/01/2026', to: '2026-12-02' })).toBe('BAD_DATE');
    expect(codes({ from: '2026-12-03', to: '2026-12-02' })).toBe('RANGE_REVERSED');
    expect(codes({ from: '2026-01-01', to: addDays('2026-01-01', MAX_DAYS - 1) })).toBe('ok');
    expect(codes({ from: '2026-01-01', to: addDays('2026-01-01', MAX_DAYS) })).toBe('RANGE_TOO_LONG');
    expect(codes({ from: '2026-12-01', to: '2026-12-07', bucket: 'hour' })).toBe('ok');
    expect(codes({ from: '2026-12-01', to: '2026-12-08', bucket: 'hour' })).toBe('RANGE_TOO_LONG');
    expect(codes({ bucket: 'week' })).toBe('BAD_BUCKET');
  });
});

describe('buckets', () => {
  it('keys hours in shop time and finds the bucket of an instant', () => {
    const p = parsePeriod({ from: '2026-12-01', to: '2026-12-02', bucket: 'hour' }, 480, NOW);
    expect(bucketCount(p)).toBe(48);
    expect(bucketKey(p, 0)).toBe('2026-12-01 00:00');
    expect(bucketKey(p, 47)).toBe('2026-12-02 23:00');
    expect(bucketIndex(p, Date.parse('2026-12-01T02:59:59.999Z'))).toBe(10); // 10:59 shop time
    expect(bucketIndex(p, Date.parse('2026-11-30T15:59:59.999Z'))).toBe(-1);
    expect(bucketIndex(p, p.endMs)).toBe(-1);
    expect(bucketIndex(p, NaN)).toBe(-1);
  });
});
