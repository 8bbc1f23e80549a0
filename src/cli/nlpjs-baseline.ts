/**
 * The nlp.js baseline (@nlpjs/basic + @nlpjs/lang-zh) trained on the same intents/ examples,
 * for the side-by-side figures in `npm run eval` and `npm run bench:nlu`. Dev-only: the
 * product never loads it.
 */
import type { IntentDef } from '../nlu';

interface NlpJsResult {
  intent: string;
  score: number;
}
interface NlpJs {
  settings: Record<string, unknown>;
  addLanguage(locale: string): void;
  addDocument(locale: string, utterance: string, intent: string): void;
  train(): Promise<unknown>;
  process(locale: string, utterance: string): Promise<NlpJsResult>;
}
interface NlpJsContainer {
  use(plugin: unknown): void;
  get(name: string): NlpJs;
}
interface NlpJsBasic {
  containerBootstrap(): Promise<NlpJsContainer>;
  Nlp: unknown;
}
interface NlpJsLangZh {
  LangZh: unknown;
}

/** Train nlp.js on the intents' examples; returns a classify function and the training time. */
export async function trainNlpJs(intents: readonly IntentDef[]): Promise<{ process: (text: string) => Promise<NlpJsResult>; trainMs: number }> {
  const started = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const basic = require('@nlpjs/basic') as NlpJsBasic;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LangZh } = require('@nlpjs/lang-zh') as NlpJsLangZh;
  const container = await basic.containerBootstrap();
  container.use(basic.Nlp);
  container.use(LangZh);
  const nlp = container.get('nlp');
  nlp.settings.autoSave = false;
  nlp.settings.log = false;
  nlp.addLanguage('zh');
  for (const intent of intents) for (const ex of intent.examples) nlp.addDocument('zh', ex, intent.id);
  // nlp.js logs training epochs with console.log; keep stdout clean for our reports.
  const log = console.log;
  console.log = () => undefined;
  try {
    await nlp.train();
  } finally {
    console.log = log;
  }
  return { process: (text: string) => nlp.process('zh', text), trainMs: performance.now() - started };
}
