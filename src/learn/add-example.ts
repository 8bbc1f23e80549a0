/**
 * Adds one example phrase to an intent file's text, the way a manager would type it: one
 * more `- phrase` line after the last example, everything else in the file (comments, key
 * order, quoting) left as it was, so the draft's diff shows exactly that line.
 */
import { isSeq, parse, parseDocument } from 'yaml';
import { exampleKey } from '../scripts/validate';

export interface ExampleAdded {
  text: string;
  /** False when the phrase already was an example of this intent (same key): nothing changed. */
  added: boolean;
}

/** The phrase as one example line: one line, single spaces, trimmed. */
export function exampleText(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** The scalar as written after "- ": plain when YAML reads it back unchanged, else double-quoted. */
function scalarSource(phrase: string): string {
  try {
    const back: unknown = parse(`- ${phrase}\n`);
    if (Array.isArray(back) && back.length === 1 && back[0] === phrase) return phrase;
  } catch {
    // not plain-safe
  }
  // A JSON string is a valid YAML double-quoted scalar.
  return JSON.stringify(phrase);
}

/**
 * The intent file with `phrase` added to `examples`. Throws when the file has no examples
 * list (a file that does not parse is refused by the draft's validation before this).
 */
export function addExample(fileText: string, phrase: string): ExampleAdded {
  const doc = parseDocument(fileText);
  if (doc.errors.length > 0) throw new Error(`intent file does not parse: ${doc.errors[0]?.message ?? ''}`);
  const seq = doc.get('examples', true);
  if (!isSeq(seq)) throw new Error('intent file has no examples list');
  const key = exampleKey(phrase);
  const items = seq.items as { toJSON?: () => unknown; range?: [number, number, number] }[];
  const existing = (seq.toJSON() as unknown[]).map((v) => exampleKey(String(v)));
  if (key === '' || existing.includes(key)) return { text: fileText, added: false };

  const last = items[items.length - 1];
  if (!seq.flow && last?.range) {
    const start = last.range[0];
    const lineStart = fileText.lastIndexOf('\n', start - 1) + 1;
    const dash = fileText.slice(lineStart, start);
    if (/^\s*-\s+$/.test(dash)) {
      const lineEnd = fileText.indexOf('\n', last.range[1]);
      const line = `${dash}${scalarSource(phrase)}`;
      const text = lineEnd < 0 ? `${fileText}\n${line}\n` : `${fileText.slice(0, lineEnd + 1)}${line}\n${fileText.slice(lineEnd + 1)}`;
      if (endsWith(text, phrase)) return { text, added: true };
    }
  }
  // Flow style or an unusual layout: let the YAML library write the list.
  seq.add(doc.createNode(phrase));
  const text = doc.toString();
  if (!endsWith(text, phrase)) throw new Error('could not add the example');
  return { text, added: true };
}

/** True when the file's examples list ends with `phrase`. */
function endsWith(fileText: string, phrase: string): boolean {
  try {
    const data = parse(fileText) as { examples?: unknown };
    const list = Array.isArray(data?.examples) ? (data.examples as unknown[]) : [];
    return list[list.length - 1] === phrase;
  } catch {
    return false;
  }
}
