/**
 * Conversation stories in words a shop manager reads: what a turn expects and what the bot
 * did, with intents by their Chinese names, handoff reasons and priorities in Chinese and
 * yuan as ¥. Used by the editor's story list and by a refused publish ("第 2 句：应该……，
 * 实际……").
 */
import { HANDOFF_REASON_LABELS, labelOf, PRIORITY_LABELS } from '../model/labels';
import type { TurnResult } from '../dialogue/types';
import type { StoryTurn } from './story-format';

/** Chinese name of an intent id (falls back to the id). */
export type IntentNamer = (id: string) => string;

/** A handoff reason in Chinese (unknown codes as they are). */
export function reasonWords(reason: string): string {
  return labelOf(HANDOFF_REASON_LABELS, reason);
}

/** A priority in Chinese (unknown values as they are). */
export function priorityWords(priority: string): string {
  return labelOf(PRIORITY_LABELS, priority);
}

const quoted = (list: readonly string[]): string => list.map((s) => `「${s}」`).join('');
const yuan = (n: number): string => `¥${n.toFixed(2)}`;

/** What one turn of a story asks of the bot, in one Chinese sentence. */
export function expectationWords(turn: StoryTurn, name: IntentNamer): string {
  const parts: string[] = [];
  if (turn.nlu !== undefined) parts.push(`识别为「${name(turn.nlu)}」`);
  if (turn.intent !== undefined) parts.push(`按「${name(turn.intent)}」回答`);
  if (turn.reply?.length) parts.push(`回复里要有${quoted(turn.reply)}`);
  if (turn.notReply?.length) parts.push(`回复里不能有${quoted(turn.notReply)}`);
  if (turn.replies !== undefined) parts.push(`回复 ${turn.replies} 条`);
  if (turn.offer !== undefined) parts.push(`报价 ${yuan(turn.offer)}`);
  if (turn.quickReplies?.length) parts.push(`有快捷回复${quoted(turn.quickReplies)}`);
  if (turn.handoff === false) parts.push('不转人工');
  else if (turn.handoff) {
    const h = turn.handoff;
    const how = [h.reason ? `原因：${reasonWords(h.reason)}` : '', h.priority ? `优先级：${priorityWords(h.priority)}` : ''].filter(Boolean);
    parts.push(`转人工${how.length ? `（${how.join('，')}）` : ''}`);
    if (h.summary?.length) parts.push(`给客服的摘要里要有${quoted(h.summary)}`);
  }
  for (const [path, value] of Object.entries(turn.state ?? {})) parts.push(`对话记录 ${path} 为 ${JSON.stringify(value)}`);
  return parts.length > 0 ? parts.join('；') : '正常回复即可';
}

/** What the bot did on one turn, in one Chinese sentence. */
export function resultWords(result: TurnResult, name: IntentNamer): string {
  const handled = result.replies[0]?.intent ?? result.understanding.intent;
  const texts = result.replies.map((r) => `「${r.text}」`).join('');
  const parts = [result.replies.length > 0 ? `按「${name(handled)}」回答${texts}` : `识别为「${name(handled)}」，没有回复`];
  const offers = result.replies.flatMap((r) => (r.offer !== undefined ? [yuan(r.offer)] : []));
  if (offers.length) parts.push(`报价 ${offers.join('、')}`);
  const quick = result.replies.flatMap((r) => r.quickReplies ?? []);
  if (quick.length) parts.push(`快捷回复${quoted(quick)}`);
  const h = result.handoff;
  parts.push(h ? `转人工（原因：${reasonWords(h.reason)}，优先级：${priorityWords(h.priority)}）` : '没有转人工');
  return parts.join('；');
}
