/** The CSV export: BOM, header, one row per bucket and 合计, safe fields. */
import { buildReport } from '../../src/reports/aggregate';
import { csvField, reportCsv } from '../../src/reports/csv';
import { parsePeriod } from '../../src/reports/period';

describe('reportCsv', () => {
  it('starts with a BOM and has the header, the buckets and the total', () => {
    const period = parsePeriod({ from: '2026-12-01', to: '2026-12-03' }, 480, Date.parse('2026-12-04T00:00:00Z'));
    const csv = reportCsv(buildReport([], { period, now: Date.parse('2026-12-04T00:00:00Z') }));
    expect(csv.startsWith('\uFEFF日期,咨询会话数,买家消息数,')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['日期', '2026-12-01', '2026-12-02', '2026-12-03', '合计', '']);
    const width = lines[0]!.split(',').length;
    for (const l of lines.slice(0, 5)) expect(l.split(',')).toHaveLength(width);
    // No data: counts are 0, rates empty.
    expect(lines[4]!.split(',').slice(1, 5)).toEqual(['0', '0', '0', '']);
  });

  it('quotes what needs quoting and defuses formulas', () => {
    expect(csvField('12')).toBe('12');
    expect(csvField('-3.5')).toBe('-3.5');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});
