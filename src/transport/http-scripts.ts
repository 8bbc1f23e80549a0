/**
 * HTTP edge of the script editor: the /manage page and the /api/scripts/… routes. Thin on
 * purpose: check the manager token, validate the body with zod, call the ScriptEditor, turn
 * the result into JSON. It knows nothing about intents or templates.
 *
 * Auth: a manager token (MANAGER_TOKENS "name:token,…") as `Authorization: Bearer <token>`
 * or `?token=`. No token → 401; any other token (an agent's, a buyer's resume token) → 403.
 *
 * Errors: `{ error: { code, message } }` as everywhere (protocol code, English message);
 * when the editor knows more, `error.scriptCode` (the script error catalogue's code) and
 * `error.localized` (the Chinese sentence the /manage page shows). Every ScriptError and
 * story failure in a body carries `code`, `reason` (English) and `localized` the same way.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { AppContext, Concern } from '../app';
import type { ManagerAccount } from '../config';
import { AppError, ERRORS } from '../errors';
import { TemplateChecker } from '../scripts/template-check';
import type { ScriptEditor } from '../scripts/editor';
import { localize, scriptMessage, scriptMessageOf, type ScriptMessage } from '../scripts/errors';
import type { PublishOutcome, StoryFailure } from '../scripts/publish';
import { httpStatusFor, readJsonBody, sendJson, type RouteContext, type RouteHandler } from './router';

/** Script files are small; a whole intent file with hundreds of examples fits easily. */
const BODY_LIMIT = 512 * 1024;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  return bearer ?? url.searchParams.get('token') ?? undefined;
}

/** The manager behind the request, or throws UNAUTHORIZED (no token) / FORBIDDEN (not a manager's). */
export function requireManager(managers: readonly ManagerAccount[], req: IncomingMessage, url: URL): ManagerAccount {
  const token = tokenOf(req, url);
  if (!token) throw new AppError('UNAUTHORIZED', 'A manager token is required (Authorization: Bearer …)');
  const manager = managers.find((m) => safeEqual(m.token, token));
  if (!manager) throw new AppError('FORBIDDEN', 'Only managers may read or change scripts');
  return manager;
}

/** A revision from GET /api/scripts/files/… (absent: overwrite whatever is there). */
const revision = z.string().min(1).max(100);
const saveBody = z.object({ text: z.string().max(BODY_LIMIT), revision: revision.optional() });
const validateBody = z.object({ path: z.string().optional(), text: z.string().max(BODY_LIMIT).optional() });
const tryBody = z.object({ text: z.string().trim().min(1, 'text is empty').max(1000) });
const renderBody = z
  .object({
    intent: z.string().min(1).max(100).optional(),
    path: z.string().min(1).max(200).optional(),
    text: z.string().max(BODY_LIMIT).optional(),
    move: z.string().max(100).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((b) => b.intent !== undefined || b.path !== undefined, { message: 'intent or path is required' });
const publishBody = z.object({ message: z.string().max(200).optional() }).nullable();
const formText = z.string().max(BODY_LIMIT);
const formBody = z.object({
  path: z.string().min(1).max(200),
  text: formText.optional(),
  form: z
    .discriminatedUnion('kind', [
      z.object({
        kind: z.literal('intent'),
        id: z.string().max(100),
        name: z.string().max(100),
        description: z.string().max(2000),
        examples: z.array(z.string().max(500)).max(2000),
      }),
      z.object({
        kind: z.literal('template'),
        intent: z.string().max(100),
        label: z.string().max(100),
        moves: z
          .array(
            z.object({
              move: z.string().min(1).max(100),
              variants: z.array(z.string().max(4000)).max(100),
              quickReplies: z.array(z.string().max(100)).max(20),
            }),
          )
          .max(100),
      }),
    ])
    .optional(),
});
const closenessBody = z.object({ path: z.string().min(1).max(200), text: formText });
const sessionBody = z.object({
  buyer: z.string().min(1).max(64),
  product: z.string().min(1).max(64).optional(),
  now: z.string().max(40).optional(),
  turns: z.array(z.string().trim().min(1, 'a turn is empty').max(1000)).max(30),
});
const storyBody = z.object({ title: z.string().trim().min(1, 'the title is empty').max(80), session: sessionBody.required({ now: true }) });
const rollbackBody = z.object({ version: z.number().int().positive() });

async function body<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const raw = await readJsonBody(req, BODY_LIMIT);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('BAD_FRAME', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** The `error` object of a response: protocol code and English message, plus the script message when there is one. */
function errorBody(code: string, message: string, script?: ScriptMessage): Record<string, unknown> {
  return { code, message, ...(script ? { scriptCode: script.code, localized: script.localized } : {}) };
}

/**
 * An editor failure with what the client needs: 422 with the errors at top level (where the
 * page reads them), 409 with the conflict (a stale save), else the code's own status.
 */
function sendEditorError(ctx: RouteContext, err: AppError, script: ScriptMessage | undefined): void {
  const details = (err.details ?? {}) as { errors?: unknown; conflict?: unknown };
  if (err.code === 'INVALID_SCRIPT') {
    sendJson(ctx.res, 422, { error: errorBody(err.code, err.message, script), errors: details.errors ?? [] });
  } else {
    sendJson(ctx.res, httpStatusFor(err.code), {
      error: errorBody(err.code, err.message, script),
      ...(details.conflict !== undefined ? { conflict: details.conflict } : {}),
    });
  }
}

/** A story failure with its Chinese text, also from a custom runner that gave only a reason. */
function localizedStory(s: StoryFailure): StoryFailure {
  return s.localized !== undefined ? s : { ...s, localized: localize('', {}, s.reason) };
}

function sendOutcome(ctx: RouteContext, outcome: PublishOutcome): void {
  if (outcome.ok) {
    sendJson(ctx.res, 200, { version: outcome.version, hash: outcome.hash, changed: outcome.changed });
  } else if (outcome.reason === 'invalid') {
    const script = scriptMessage('DRAFT_HAS_ERRORS', { count: outcome.errors.length });
    sendJson(ctx.res, 422, { error: errorBody('INVALID_SCRIPT', ERRORS.INVALID_SCRIPT.message, script), errors: outcome.errors });
  } else if (outcome.reason === 'stories') {
    const script = scriptMessage('STORIES_BROKEN', { count: outcome.stories.length });
    sendJson(ctx.res, 409, { error: errorBody('CONFLICT', script.reason, script), stories: outcome.stories.map(localizedStory) });
  } else {
    const script = scriptMessage('NOTHING_TO_PUBLISH', {});
    sendJson(ctx.res, 409, { error: errorBody('CONFLICT', script.reason, script) });
  }
}

function versionParam(value: string | null | undefined, name: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (!/^\d{1,9}$/.test(value)) throw new AppError('BAD_FRAME', `${name} must be a version number`);
  return Number(value);
}

/**
 * The script editor as an app concern: `createApp({ …, concerns: [scriptEditorConcern(editor)] })`.
 */
export function scriptEditorConcern(editor: ScriptEditor): Concern {
  return (app: AppContext) => registerScriptRoutes(app, editor);
}

/** Registers /manage (+ its js/css) and /api/scripts/… on the app's router. */
export function registerScriptRoutes(app: AppContext, editor: ScriptEditor): void {
  const { router, staticFiles } = app;
  const managers = app.deps.config.managers;
  const templateChecker = new TemplateChecker();
  app.onClose(() => templateChecker.stop());

  router.get('/manage', ({ req, res }) => staticFiles.send(req, res, 'manage.html'));
  router.get('/manage.js', ({ req, res }) => staticFiles.send(req, res, 'manage.js'));
  router.get('/manage.css', ({ req, res }) => staticFiles.send(req, res, 'manage.css'));

  /**
   * Wraps a handler: manager auth first; INVALID_SCRIPT answered with its error list and
   * editor errors with their Chinese text (other errors go to the router's catalogue answer).
   */
  const guarded =
    (fn: (ctx: RouteContext, who: ManagerAccount) => Promise<void> | void): RouteHandler =>
    async (ctx) => {
      const who = requireManager(managers, ctx.req, ctx.url);
      try {
        // The draft is shared through the store: another instance may have changed it.
        await editor.refresh();
        await fn(ctx, who);
      } catch (err) {
        const script = err instanceof AppError ? scriptMessageOf(err) : undefined;
        if (err instanceof AppError && (err.code === 'INVALID_SCRIPT' || script)) sendEditorError(ctx, err, script);
        else throw err;
      }
    };
  const revisionParam = (ctx: RouteContext): string | undefined => {
    const r = ctx.url.searchParams.get('revision');
    if (r === null || r === '') return undefined;
    if (!revision.safeParse(r).success) throw new AppError('BAD_FRAME', 'revision is not a revision');
    return r;
  };
  const ok = (ctx: RouteContext, value: unknown): void => sendJson(ctx.res, 200, value);
  const pathParam = (ctx: RouteContext): string => ctx.params['*'] ?? '';

  router.get(
    '/api/scripts',
    guarded((ctx) => ok(ctx, editor.overview())),
  );

  router.get(
    '/api/scripts/files/*',
    guarded((ctx) => ok(ctx, editor.readFile(pathParam(ctx)))),
  );
  router.put(
    '/api/scripts/files/*',
    guarded(async (ctx, who) => {
      const b = await body(ctx.req, saveBody);
      ok(ctx, { saved: true, ...(await editor.saveDraft(pathParam(ctx), b.text, who.id, b.revision)) });
    }),
  );
  router.delete(
    '/api/scripts/files/*',
    guarded(async (ctx, who) => {
      await editor.deleteFile(pathParam(ctx), who.id, revisionParam(ctx));
      ok(ctx, { deleted: true });
    }),
  );
  router.delete(
    '/api/scripts/draft/*',
    guarded(async (ctx, who) => {
      const path = pathParam(ctx);
      await editor.discardDraft(path === '' ? undefined : path, who.id, revisionParam(ctx));
      ok(ctx, { discarded: path === '' ? 'all' : path });
    }),
  );
  router.post(
    '/api/scripts/validate',
    guarded(async (ctx) => {
      const b = await body(ctx.req, validateBody);
      // A template's text is first parsed off the event loop, with a time limit (issue 15).
      const slow = b.path?.startsWith('templates/') && b.text !== undefined ? await templateChecker.check(b.path, b.text) : [];
      ok(ctx, { errors: slow.length > 0 ? slow : editor.validate(b.path, b.text) });
    }),
  );

  router.get(
    '/api/scripts/intents',
    guarded((ctx) => ok(ctx, { intents: editor.intents() })),
  );
  router.get(
    '/api/scripts/intents/:id',
    guarded((ctx) => ok(ctx, editor.intent(ctx.params['id'] ?? ''))),
  );
  router.get(
    '/api/scripts/templates',
    guarded((ctx) => ok(ctx, { templates: editor.templates() })),
  );
  router.get(
    '/api/scripts/templates/:id',
    guarded((ctx) => ok(ctx, editor.template(ctx.params['id'] ?? ''))),
  );
  router.get(
    '/api/scripts/dictionary',
    guarded((ctx) => ok(ctx, editor.dictionary())),
  );

  router.post(
    '/api/scripts/try',
    guarded(async (ctx) => {
      const { text } = await body(ctx.req, tryBody);
      ok(ctx, await editor.tryPhrase(text));
    }),
  );
  router.post(
    '/api/scripts/form',
    guarded(async (ctx) => {
      const b = await body(ctx.req, formBody);
      if (b.form && b.text === undefined) throw new AppError('BAD_FRAME', 'text: the form is written into a text');
      ok(ctx, b.form && b.text !== undefined ? editor.applyForm(b.path, b.text, b.form) : editor.form(b.path, b.text));
    }),
  );
  router.post(
    '/api/scripts/closeness',
    guarded(async (ctx) => {
      const b = await body(ctx.req, closenessBody);
      ok(ctx, { warnings: editor.closeness(b.path, b.text) });
    }),
  );
  router.get(
    '/api/scripts/variables/:intent',
    guarded((ctx) => ok(ctx, { intent: ctx.params['intent'] ?? '', variables: editor.variables(ctx.params['intent'] ?? '') })),
  );
  router.get(
    '/api/scripts/try/cast',
    guarded((ctx) => ok(ctx, editor.tryCast())),
  );
  router.post(
    '/api/scripts/try/conversation',
    guarded(async (ctx) => {
      const b = await body(ctx.req, sessionBody);
      ok(ctx, await editor.tryConversation(b));
    }),
  );
  router.get(
    '/api/scripts/stories',
    guarded((ctx) => ok(ctx, { stories: editor.stories() })),
  );
  router.post(
    '/api/scripts/stories',
    guarded(async (ctx, who) => {
      const b = await body(ctx.req, storyBody);
      ok(ctx, await editor.addStory(b.session, b.title, who.id));
    }),
  );
  router.post(
    '/api/scripts/render',
    guarded(async (ctx) => {
      const b = await body(ctx.req, renderBody);
      ok(ctx, editor.render(b));
    }),
  );

  router.post(
    '/api/scripts/publish',
    guarded(async (ctx, who) => {
      const b = await body(ctx.req, publishBody);
      sendOutcome(ctx, await editor.publish(who.id, b?.message));
    }),
  );
  router.post(
    '/api/scripts/rollback',
    guarded(async (ctx, who) => {
      const { version } = await body(ctx.req, rollbackBody);
      sendOutcome(ctx, await editor.rollback(version, who.id));
    }),
  );
  router.get(
    '/api/scripts/versions',
    guarded(async (ctx) => ok(ctx, { versions: await editor.versions() })),
  );
  router.get(
    '/api/scripts/versions/:n',
    guarded(async (ctx) => ok(ctx, await editor.version(versionParam(ctx.params['n'], 'n') ?? 0))),
  );
  router.get(
    '/api/scripts/diff',
    guarded(async (ctx) => {
      const to = ctx.url.searchParams.get('to') ?? 'draft';
      const from = versionParam(ctx.url.searchParams.get('from'), 'from');
      ok(ctx, await editor.diff(from, to === 'draft' ? 'draft' : (versionParam(to, 'to') ?? 0)));
    }),
  );
  router.get(
    '/api/scripts/audit',
    guarded(async (ctx) => {
      const limit = versionParam(ctx.url.searchParams.get('limit'), 'limit') ?? 200;
      ok(ctx, { entries: await editor.audit(Math.min(limit, 1000)) });
    }),
  );
}
