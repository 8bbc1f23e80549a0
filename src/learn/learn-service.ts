/**
 * Learning from the shop's own chats: agents mark buyer messages the bot misunderstood and
 * name the right intent; managers review them. Accepting one adds the buyer's phrase as an
 * example to that intent's file in the shared script draft (through the script editor, so
 * the draft is validated as any edit is); the manager then publishes as usual, with the
 * stories run before the new model serves. Who proposed and who accepted is written to the
 * scripts' audit log. Transport-free: src/transport/http-learn.ts turns requests into calls.
 */
import { AppError } from '../errors';
import type { ScriptBundle } from '../scripts/bundle';
import type { ScriptEditor } from '../scripts/editor';
import type { Store } from '../store/types';
import { addExample, exampleText } from './add-example';
import { appendMark, appendRepick, appendReview, getCorrection, listCorrections } from './correction-log';
import { correctionId, type Correction, type CorrectionReview, type CorrectionStatus } from './corrections';
import { intentChoices, type IntentChoice } from './intent-labels';
import { countSimilar } from './similar';

/** Longest phrase that may become an example (a manager can shorten a long message first). */
export const MAX_EXAMPLE_LENGTH = 200;
const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/;

export type LearnEvent = 'marked' | 'repicked' | 'accepted' | 'rejected';

export interface LearnDeps {
  store: Pick<Store, 'appendMessage' | 'messagesAfter' | 'getConversation' | 'withLock' | 'appendAudit'>;
  /** The serving scripts: the intents agents may pick from, and today's understanding. */
  scripts: () => Pick<ScriptBundle, 'intents' | 'understand'>;
  /** The script editor: accepted phrases go into its shared draft. */
  editor: Pick<ScriptEditor, 'refresh' | 'intents' | 'intent' | 'saveDraft'>;
  clock?: () => Date;
  /** Called after each recorded event, with the intent it names (metrics). */
  onEvent?: (event: LearnEvent, intent: string) => void;
}

export interface RankedChoice extends IntentChoice {
  confidence: number;
}

/** What the agent's picker shows for one buyer message. */
export interface Candidates {
  conversationId: string;
  seq: number;
  text: string;
  /** What the bot understood. */
  predicted: { intent: string; confidence: number };
  /** Today's model's top three for the text. */
  ranking: RankedChoice[];
  /** The correction already recorded for this message, if any. */
  correction?: Correction;
}

/** One row of the managers' review list. */
export interface ReviewItem extends Correction {
  /** Other corrections with a near-identical phrase. */
  similar: number;
  /** What the serving model understands now (after publishes since the mark). */
  now: { intent: string; confidence: number };
}

export interface Accepted {
  correction: Correction;
  path: string;
  /** The intent file's revision in the draft after the change. */
  revision: string;
  added: boolean;
}

export interface LearnService {
  /** Every serving intent with its Chinese name. */
  intents(): IntentChoice[];
  candidates(conversationId: string, seq: number): Promise<Candidates>;
  /** Records the agent's pick; a second pick for the same message changes it while pending. */
  mark(input: { conversationId: string; seq: number; intent: string; agentId: string }): Promise<{ correction: Correction; created: boolean }>;
  forConversation(conversationId: string): Promise<Correction[]>;
  review(status?: CorrectionStatus | 'all'): Promise<ReviewItem[]>;
  accept(id: string, by: string, change?: { intent?: string; text?: string }): Promise<Accepted>;
  reject(id: string, by: string, reason?: string): Promise<Correction>;
}

export function createLearnService(deps: LearnDeps): LearnService {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());
  const now = (): string => clock().toISOString();

  function servingIntents(): IntentChoice[] {
    return intentChoices(Object.values(deps.scripts().intents));
  }
  function requireServingIntent(intent: string): void {
    if (!Object.hasOwn(deps.scripts().intents, intent)) throw new AppError('BAD_FRAME', `Unknown intent "${intent}"`);
  }

  /** The buyer message `seq` of a conversation and what the bot understood of it. */
  async function buyerMessage(conversationId: string, seq: number): Promise<{ text: string; predicted: { intent: string; confidence: number } }> {
    const conv = await store.getConversation(conversationId);
    if (!conv) throw new AppError('NOT_FOUND', 'No such conversation');
    const [m] = await store.messagesAfter(conversationId, seq - 1, 1);
    if (!m || m.seq !== seq) throw new AppError('NOT_FOUND', `No message ${seq} in this conversation`);
    if (m.from !== 'buyer') throw new AppError('BAD_FRAME', 'Only a buyer message can be corrected');
    if (m.meta?.['file'] !== undefined || m.text.trim() === '') throw new AppError('BAD_FRAME', 'This message has no text to learn from');
    // The turn the engine recorded for this message (same text, at or after it), else today's model.
    const turn = [...conv.turns].reverse().find((t) => t.text === m.text && t.at >= m.at);
    const u = turn ?? deps.scripts().understand(m.text);
    return { text: m.text, predicted: { intent: u.intent, confidence: round(u.confidence) } };
  }

  async function pending(id: string): Promise<Correction> {
    const c = await getCorrection(store, id);
    if (!c) throw new AppError('NOT_FOUND', 'No such correction');
    if (c.status !== 'pending') throw new AppError('CONFLICT', `This correction was ${c.status} by ${c.review?.by ?? 'someone'}`);
    return c;
  }

  return {
    intents: servingIntents,

    async candidates(conversationId, seq) {
      const { text, predicted } = await buyerMessage(conversationId, seq);
      const labels = new Map(servingIntents().map((c) => [c.id, c]));
      const ranking = deps
        .scripts()
        .understand(text)
        .ranking.slice(0, 3)
        .flatMap((r) => {
          const choice = labels.get(r.intent);
          return choice ? [{ ...choice, confidence: round(r.confidence) }] : [];
        });
      const correction = await getCorrection(store, correctionId(conversationId, seq));
      return { conversationId, seq, text, predicted, ranking, ...(correction ? { correction } : {}) };
    },

    async mark({ conversationId, seq, intent, agentId }) {
      requireServingIntent(intent);
      const { text, predicted } = await buyerMessage(conversationId, seq);
      if (predicted.intent === intent) throw new AppError('BAD_FRAME', `The bot already understood this message as "${intent}"`);
      const id = correctionId(conversationId, seq);
      const at = now();
      const event = {
        op: 'mark' as const,
        id,
        conversationId,
        seq,
        text,
        predicted: predicted.intent,
        confidence: predicted.confidence,
        corrected: intent,
        agentId,
        at,
      };
      if (await appendMark(store, event)) {
        deps.onEvent?.('marked', intent);
        return { correction: (await getCorrection(store, id))!, created: true };
      }
      const existing = (await getCorrection(store, id))!;
      if (existing.corrected === intent) return { correction: existing, created: false };
      if (existing.status !== 'pending') {
        throw new AppError('CONFLICT', `This message was already ${existing.status} as ${existing.review?.intent ?? existing.corrected}`);
      }
      await appendRepick(store, { op: 'repick', id, corrected: intent, agentId, at });
      deps.onEvent?.('repicked', intent);
      return { correction: (await getCorrection(store, id))!, created: false };
    },

    async forConversation(conversationId) {
      return (await listCorrections(store)).filter((c) => c.conversationId === conversationId);
    },

    async review(status = 'pending') {
      const all = await listCorrections(store);
      const similar = countSimilar(all.map((c) => c.text));
      const bundle = deps.scripts();
      return all.flatMap((c, i) => {
        if (status !== 'all' && c.status !== status) return [];
        const u = bundle.understand(c.text);
        return [{ ...c, similar: similar[i] ?? 0, now: { intent: u.intent, confidence: round(u.confidence) } }];
      });
    },

    accept(id, by, change = {}) {
      return store.withLock(`learn:review:${id}`, 60_000, async () => {
        const c = await pending(id);
        const intent = change.intent ?? c.corrected;
        const phrase = exampleText(change.text ?? c.text);
        if (phrase === '') throw new AppError('BAD_FRAME', 'text: the example is empty');
        if (phrase.length > MAX_EXAMPLE_LENGTH) throw new AppError('BAD_FRAME', `text: an example has at most ${MAX_EXAMPLE_LENGTH} characters`);
        if (MOBILE.test(phrase)) throw new AppError('BAD_FRAME', 'text: remove the phone number before it becomes an example');
        await deps.editor.refresh();
        if (!deps.editor.intents().some((i) => i.id === intent)) throw new AppError('BAD_FRAME', `Unknown intent "${intent}"`);
        const file = deps.editor.intent(intent);
        const { text, added } = addExample(file.text, phrase);
        // The editor validates the whole draft with the new example and audits the save.
        const revision = added ? (await deps.editor.saveDraft(file.path, text, by, file.revision)).revision : file.revision;
        const at = now();
        await store.appendAudit({
          at,
          who: by,
          action: 'learn.accept',
          detail: `${file.path} 新增例句「${phrase}」（客服 ${c.agentId} 标注，机器人原识别为 ${c.predicted.intent}${intent !== c.corrected ? `，客服选的是 ${c.corrected}` : ''}）`,
        });
        const review: CorrectionReview = { by, at, intent, example: phrase, path: file.path, added };
        if (!(await appendReview(store, { op: 'accept', id, ...review }))) throw new AppError('CONFLICT', 'This correction was reviewed meanwhile');
        deps.onEvent?.('accepted', intent);
        return { correction: { ...c, status: 'accepted', review }, path: file.path, revision, added };
      });
    },

    reject(id, by, reason) {
      return store.withLock(`learn:review:${id}`, 60_000, async () => {
        const c = await pending(id);
        const at = now();
        const review: CorrectionReview = { by, at, ...(reason ? { reason } : {}) };
        if (!(await appendReview(store, { op: 'reject', id, ...review }))) throw new AppError('CONFLICT', 'This correction was reviewed meanwhile');
        await store.appendAudit({
          at,
          who: by,
          action: 'learn.reject',
          detail: `「${c.text.slice(0, 40)}」不作为例句（客服 ${c.agentId} 标注为 ${c.corrected}）${reason ? `：${reason}` : ''}`,
        });
        deps.onEvent?.('rejected', c.corrected);
        return { ...c, status: 'rejected', review };
      });
    },
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
