import { Writable } from 'node:stream';
import { createLogger, maskPhonesInText } from '../../src/transport/logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('maskPhonesInText', () => {
  it.each([
    ['电话13812345678', '电话138****5678'],
    ['+86 138 1234 5678', '+86 138****5678'],
    ['138-1234-5678', '138****5678'],
    ['座机010-12345678', '座机010-****5678'],
  ])('masks %s', (input, masked) => {
    expect(maskPhonesInText(input)).toBe(masked);
  });

  it('leaves order numbers and tracking numbers alone', () => {
    expect(maskPhonesInText('订单2024061512345678901')).toBe('订单2024061512345678901');
    expect(maskPhonesInText('SF1234567890123')).toBe('SF1234567890123');
  });
});

describe('createLogger', () => {
  it('writes JSON lines with phones masked in the message and in nested fields', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream, level: 'info' });
    log.info({ buyer: { address: '北京市 张三 13912345678' }, list: ['15800001111'] }, 'call 13700002222 please');
    const [line] = out.lines();
    expect(line?.['msg']).toBe('call 137****2222 please');
    expect(line?.['buyer']).toEqual({ address: '北京市 张三 139****5678' });
    expect(line?.['list']).toEqual(['158****1111']);
    expect(line?.['level']).toBe('info');
    expect(JSON.stringify(line)).not.toMatch(/1\d{10}/);
  });

  it('masks phones inside logged errors', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream });
    log.error({ err: new Error('bad address 13612345678') }, 'failed');
    expect(JSON.stringify(out.lines())).not.toContain('13612345678');
  });
});
