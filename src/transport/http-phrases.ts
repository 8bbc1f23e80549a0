/**
 * HTTP edge of quick phrases for the agent console (agent token): GET /api/agent/quick-phrases
 * lists the serving bundle's phrases with the variables they may use, and POST
 * /api/agent/quick-phrases/:code/uses counts one sent phrase (as inserted or edited) in the
 * metrics, like suggestions are counted. The phrases themselves are manager data
 * (templates/quick_phrases.yaml), edited and published in /manage.
 */
import { z } from 'zod';
import type { Concern } from '../app';
import { AppError } from '../errors';
import { createAgentRegistry, type AgentDef } from '../handoff/agents';
import type { Metrics } from '../metrics';
import { QUICK_PHRASE_VARIABLES, type QuickPhrase } from '../scripts/quick-phrases';
import { tokenFrom } from './agent-socket';
import { readJsonBody, sendJson, type RouteContext } from './router';

export interface QuickPhraseOptions {
  /** The serving phrases (read on each request, so a publish shows at once). */
  phrases: () => readonly QuickPhrase[];
  metrics?: Metrics;
}

const useBody = z.object({ use: z.enum(['sent_as_is', 'edited']) });

/** The quick phrase routes as an app concern. */
export function quickPhrasesConcern(options: QuickPhraseOptions): Concern {
  return (ctx) => {
    const agents = createAgentRegistry(ctx.deps.config.agents.map((a): AgentDef => ({ ...a })));
    const authed = (fn: (c: RouteContext) => Promise<void> | void) => async (c: RouteContext) => {
      if (!agents.authenticate(tokenFrom(c.req, c.url))) throw new AppError('UNAUTHORIZED');
      await fn(c);
    };
    ctx.router.get(
      '/api/agent/quick-phrases',
      authed(({ res }) => sendJson(res, 200, { phrases: options.phrases(), variables: QUICK_PHRASE_VARIABLES })),
    );
    ctx.router.post(
      '/api/agent/quick-phrases/:code/uses',
      authed(async ({ req, res, params }) => {
        const code = params['code'] ?? '';
        const parsed = useBody.safeParse(await readJsonBody(req, 1024));
        if (!parsed.success) throw new AppError('BAD_FRAME', 'use must be sent_as_is or edited');
        if (!options.phrases().some((p) => p.code === code)) throw new AppError('NOT_FOUND', `No quick phrase "${code}"`);
        options.metrics?.quickPhrases.inc({ code, use: parsed.data.use });
        sendJson(res, 200, { ok: true });
      }),
    );
  };
}
