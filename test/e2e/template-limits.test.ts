/**
 * Template validation under abuse (issue 15): a deeply nested or oversized template sent to
 * /api/scripts/validate is refused with a coded error before anything parses it, /healthz
 * keeps answering meanwhile, and the off-thread check stops a parse that runs too long.
 */
import { TemplateChecker } from '../../src/scripts/template-check';
import { MAX_BLOCK_DEPTH } from '../../src/scripts/template-limits';
import { startManageServer, type ManageServer } from './manage-helpers';

const THANKS = 'templates/greeting.thanks.yaml';
const thanksWith = (reply: string): string => `intent: greeting.thanks\nlabel: 没有了，谢谢\nmoves:\n  welcome:\n    - "${reply}"\n`;

describe('template validation limits', () => {
  let server: ManageServer;
  beforeAll(async () => {
    server = await startManageServer();
  });
  afterAll(async () => server.stop());

  it('refuses 5,000 nested {{#if}} with TEMPLATE_TOO_DEEP while /healthz keeps answering', async () => {
    const nested = `${'{{#if shop.name}}'.repeat(5000)}亲${'{{/if}}'.repeat(5000)}`;
    const validating = server.api('POST', '/api/scripts/validate', { path: THANKS, text: thanksWith(nested) });
    const health = await Promise.all(Array.from({ length: 5 }, () => fetch(`${server.running.url}/healthz`).then((r) => r.status)));
    expect(health).toEqual([200, 200, 200, 200, 200]);
    const r = await validating;
    expect(r.status).toBe(200);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ file: THANKS, code: 'TEMPLATE_TOO_DEEP', localized: expect.stringContaining(`最多只能套 ${MAX_BLOCK_DEPTH} 层`) }),
    ]);
    // Saving it is refused the same way (the draft path parses too).
    const save = await server.api('PUT', `/api/scripts/files/${THANKS}`, { text: thanksWith(nested) });
    expect(save.status).toBe(422);
  });

  it('refuses an oversized template with TEMPLATE_TOO_LARGE', async () => {
    const r = await server.api('POST', '/api/scripts/validate', { path: THANKS, text: thanksWith('亲'.repeat(20_000)) });
    expect(r.body.errors).toEqual([expect.objectContaining({ code: 'TEMPLATE_TOO_LARGE' })]);
  });

  it('still validates an ordinary template normally', async () => {
    const r = await server.api('POST', '/api/scripts/validate', { path: THANKS, text: thanksWith('{{#if shop.name}}亲{{/if}}') });
    expect(r.body.errors).toEqual([]);
  });
});

describe('off-thread template check', () => {
  it('passes a template that parses in time and stops one that does not', async () => {
    const variants = Array.from({ length: 300 }, (_, i) => `    - "亲{{#if shop.name}}{{shop.name}}{{/if}}第${i}句"`).join('\n');
    const text = `intent: greeting.thanks\nmoves:\n  welcome:\n${variants}\n`;
    const roomy = new TemplateChecker(30_000);
    try {
      expect(await roomy.check(THANKS, text)).toEqual([]);
    } finally {
      roomy.stop();
    }
    // No time at all: the parse cannot finish before the limit, so it is refused and the worker stopped.
    const strict = new TemplateChecker(0);
    try {
      expect(await strict.check(THANKS, text)).toEqual([expect.objectContaining({ code: 'TEMPLATE_CHECK_TIMEOUT', file: THANKS })]);
    } finally {
      strict.stop();
    }
  });
});
