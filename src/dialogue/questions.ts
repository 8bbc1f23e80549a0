/**
 * A message with two or three questions ("有M码吗？什么时候发货") gets each answered in one
 * reply. The message is cut where a question ends (？。；! or a comma before another question),
 * each part is understood alone, and the parts whose topic differs from the turn's own are
 * answered too, in the order asked (an answer to a question asked before the turn's own comes
 * first). Only confident, answerable topics count: a greeting or an
 * unclear part adds nothing.
 */
import type { Understanding } from '../nlu/types';

const QUESTION_WORD = /吗|呢|多少|几|什么|怎么|能不能|有没有|可不可以|可以|是否|哪|[不没]$/u;
const MIN_CONFIDENCE = 0.6;

/** The parts of a message that each ask something (two or more, else none). */
export function questionParts(text: string): string[] {
  const pieces: string[] = [];
  for (const sentence of text.split(/[？?。；;！!\n]+/u)) {
    // Buyers separate questions with spaces as often as with commas ("什么时候发 发什么快递 能开票不").
    const commaParts = sentence.split(/[，,]|\s+/u);
    let current = '';
    for (const part of commaParts) {
      // A comma starts a new question only when what follows asks something on its own.
      if (current !== '' && QUESTION_WORD.test(part) && part.trim().length >= 3 && QUESTION_WORD.test(current)) {
        pieces.push(current);
        current = part;
      } else current = current === '' ? part : `${current}，${part}`;
    }
    if (current.trim() !== '') pieces.push(current);
  }
  const parts = pieces.map((p) => p.trim()).filter((p) => p.length >= 3);
  return parts.length >= 2 ? parts.slice(0, 3) : [];
}

/** The topic of an intent: stock and size are one ("M码驼色 有货吗" is answered once). */
const topicOf = (intent: string): string => (intent === 'product.stock' || intent === 'product.size_color' ? 'product' : intent);

/** Another question in the message, and whether it was asked before the one the turn is handled as. */
export interface OtherQuestion {
  u: Understanding;
  before: boolean;
}

/**
 * Other questions in the message than the one the turn is handled as: each part's
 * understanding, when confident and about another answerable topic (at most two), in the order
 * asked; `before` when it came before the part about the handled topic (so the reply answers
 * in that order too).
 */
export function otherQuestions(
  text: string,
  handled: string,
  understand: (text: string) => Understanding,
  /** The turn took a narrower question of the topic (the courier, not the ship time): its topic's own question is answered too. */
  narrower = false,
): OtherQuestion[] {
  const parts = questionParts(text).map((part) => understand(part));
  const handledTopic = topicOf(handled);
  const topic = (u: Understanding): string => topicOf(u.intent);
  const mainAt = narrower ? -1 : parts.findIndex((u) => topic(u) === handledTopic);
  const out: OtherQuestion[] = [];
  const seen = new Set(narrower ? [] : [handledTopic]);
  parts.forEach((u, i) => {
    if (u.confidence < MIN_CONFIDENCE || u.category === 'other' || u.category === 'greeting' || seen.has(topic(u))) return;
    seen.add(topic(u));
    out.push({ u, before: mainAt > i });
  });
  return out.slice(0, 2);
}
