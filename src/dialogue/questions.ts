/**
 * A message with two or three questions ("有M码吗？什么时候发货") gets each answered in one
 * reply. The message is cut where a question ends (？。；! or a comma before another question),
 * each part is understood alone, and the parts whose topic differs from the turn's own are
 * answered too, in the order asked. Only confident, answerable topics count: a greeting or an
 * unclear part adds nothing.
 */
import type { Understanding } from '../nlu/types';

const QUESTION_WORD = /吗|呢|多少|几|什么|怎么|能不能|有没有|可不可以|可以|是否|哪/u;
const MIN_CONFIDENCE = 0.6;

/** The parts of a message that each ask something (two or more, else none). */
export function questionParts(text: string): string[] {
  const pieces: string[] = [];
  for (const sentence of text.split(/[？?。；;！!\n]+/u)) {
    const commaParts = sentence.split(/[，,]/u);
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

/**
 * Other questions in the message than the one the turn is handled as: each part's
 * understanding, when confident and about another answerable topic (at most two).
 */
export function otherQuestions(text: string, handled: string, understand: (text: string) => Understanding): Understanding[] {
  const out: Understanding[] = [];
  const seen = new Set([handled]);
  for (const part of questionParts(text)) {
    const u = understand(part);
    if (u.confidence < MIN_CONFIDENCE || u.category === 'other' || u.category === 'greeting' || seen.has(u.intent)) continue;
    seen.add(u.intent);
    out.push(u);
  }
  return out.slice(0, 2);
}
