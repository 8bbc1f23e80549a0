import { parseClientFrame } from '../../src/transport/protocol';

describe('parseClientFrame', () => {
  it('accepts hello with and without resume fields', () => {
    expect(parseClientFrame('{"type":"hello"}')).toEqual({ ok: true, frame: { type: 'hello' } });
    const r = parseClientFrame('{"type":"hello","buyerId":"b_1","resumeToken":"t","lastSeq":4,"extra":true}');
    expect(r).toEqual({ ok: true, frame: { type: 'hello', buyerId: 'b_1', resumeToken: 't', lastSeq: 4 } });
  });

  it('accepts message and typing frames', () => {
    expect(parseClientFrame('{"type":"message","id":"m1","text":"在吗"}')).toEqual({
      ok: true,
      frame: { type: 'message', id: 'm1', text: '在吗' },
    });
    expect(parseClientFrame('{"type":"typing"}')).toEqual({ ok: true, frame: { type: 'typing' } });
  });

  it.each([
    ['{not json', 'BAD_JSON'],
    ['', 'BAD_JSON'],
    ['[1,2]', 'BAD_FRAME'],
    ['"hello"', 'BAD_FRAME'],
    ['null', 'BAD_FRAME'],
    ['{"text":"no type"}', 'BAD_FRAME'],
    ['{"type":"launch"}', 'UNKNOWN_TYPE'],
    ['{"type":"__proto__"}', 'UNKNOWN_TYPE'],
    ['{"type":"toString"}', 'UNKNOWN_TYPE'],
    ['{"type":"message","text":"no id"}', 'BAD_FRAME'],
    ['{"type":"message","id":"m","text":5}', 'BAD_FRAME'],
    ['{"type":"hello","lastSeq":-1}', 'BAD_FRAME'],
  ])('refuses %s with %s', (text, code) => {
    const r = parseClientFrame(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });
});
