/**
 * The file format of conversation stories (buyer says → what the bot must do), shared by the
 * runner (stories.ts), the script bundle (a manager's stories/*.yaml is checked like any
 * script file) and the editor (a try-it session saved as a story). Parsing and writing only:
 * no engine here, so the bundle can import it without a cycle.
 *
 *   - name: …            title?: 中文名（shown to managers）
 *     buyer: B008        product?: P1     now?: ISO (default 2025-03-10 10:00 +08:00)
 *     turns:
 *       - say: 这件大衣能便宜点吗
 *         intent?: id the bot handled it as (the first reply's intent)   nlu?: id the classifier said
 *         reply?: [substrings]   notReply?: [substrings]   replies?: count   offer?: yuan
 *         quickReplies?: [substrings]   handoff?: false | { reason?, priority?, summary?: [substrings] }
 *         state?: { "dotted.path": value }
 */
import { LineCounter, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { scriptError, type ScriptError } from './errors';

/** Manager-written stories live beside the scripts, one file per story. */
export const STORY_PATH = /^stories\/[a-z0-9][a-z0-9_.-]{0,80}\.yaml$/;

const turnSchema = z
  .object({
    say: z.string().min(1),
    intent: z.string().optional(),
    nlu: z.string().optional(),
    reply: z.array(z.string()).optional(),
    notReply: z.array(z.string()).optional(),
    offer: z.number().optional(),
    quickReplies: z.array(z.string()).optional(),
    replies: z.number().int().min(0).optional(),
    handoff: z
      .union([
        z.literal(false),
        z.object({ reason: z.string().optional(), priority: z.string().optional(), summary: z.array(z.string()).optional() }),
      ])
      .optional(),
    state: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const storySchema = z
  .object({
    name: z.string().min(1),
    title: z.string().min(1).max(80).optional(),
    buyer: z.string(),
    product: z.string().optional(),
    now: z.string().optional(),
    turns: z.array(turnSchema).min(1),
  })
  .strict();

export type StoryTurn = z.infer<typeof turnSchema>;
export type StoryData = z.infer<typeof storySchema>;
export interface Story extends StoryData {
  /** File the story came from, for reports. */
  file: string;
}

/** The Chinese name a manager sees: the title, else the name. */
export function storyTitle(story: Pick<StoryData, 'name' | 'title'>): string {
  return story.title ?? story.name;
}

interface Parsed {
  stories: Story[];
  /** First problem: where and what (zod path or YAML message). */
  problem?: { line: number; detail: string };
}

function parse(file: string, text: string): Parsed {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) return { stories: [], problem: { line: lc.linePos(yamlError.pos[0]).line, detail: yamlError.message.split('\n')[0] ?? '' } };
  const raw: unknown = doc.toJS();
  const list = Array.isArray(raw) ? raw : [raw];
  const parsed = z.array(storySchema).safeParse(list);
  if (parsed.success) return { stories: parsed.data.map((s) => ({ ...s, file })) };
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map((k) => (typeof k === 'symbol' ? String(k) : k));
  const node = doc.getIn(Array.isArray(raw) ? path : path.slice(1), true) as { range?: [number, number, number] } | undefined;
  const line = node?.range ? lc.linePos(node.range[0]).line : 1;
  return { stories: [], problem: { line, detail: issue ? `${path.join('.')}: ${issue.message}` : 'not a story file' } };
}

/** Parses one story file (a list of stories, or one); throws naming the file on a bad shape. */
export function parseStoryFile(file: string, text: string): Story[] {
  const { stories, problem } = parse(file, text);
  if (problem) throw new Error(`${file}: ${problem.detail}`);
  return stories;
}

/** Problems of a manager's story file, as script errors (the bundle refuses a file with any). */
export function storyFileErrors(file: string, text: string): ScriptError[] {
  const { problem } = parse(file, text);
  return problem ? [scriptError('STORY_FILE_INVALID', { detail: problem.detail }, { file, line: problem.line })] : [];
}

/** Stories in a set of script files (the stories/*.yaml a manager saved), in path order; bad files skipped. */
export function storiesInFiles(files: Record<string, string>): Story[] {
  return Object.keys(files)
    .filter((p) => STORY_PATH.test(p))
    .sort()
    .flatMap((p) => parse(p, files[p] ?? '').stories);
}

/** One story as a file a manager can read (a one-item list, like the project's story files). */
export function storyFileText(story: StoryData): string {
  const header = `# ${storyTitle(story)}: saved from the script editor's try-it. The bot must keep doing this before a publish goes out.\n`;
  return header + stringify([story], { lineWidth: 0 });
}
