/**
 * Loading the NLU data from a directory (intents/*.yaml + intents/dictionary.txt) for the CLIs,
 * the bench and tests. The server goes through the scripts bundle instead.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseIntentFile, type IntentDef, type ScriptError } from './intents';
import { loadCorpusDir, type CorpusLine, type CorpusProblem, type Lexicon } from './corpus';

/** Read and validate every intent file in `dir`; errors are collected, valid intents returned. */
export function loadIntentsDir(dir: string): { intents: IntentDef[]; dictionary: string; errors: ScriptError[] } {
  const intents: IntentDef[] = [];
  const errors: ScriptError[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()) {
    const path = `intents/${name}`;
    const { intent, errors: errs } = parseIntentFile(path, readFileSync(join(dir, name), 'utf8'));
    errors.push(...errs);
    if (intent) intents.push(intent);
  }
  const dictPath = join(dir, 'dictionary.txt');
  const dictionary = existsSync(dictPath) ? readFileSync(dictPath, 'utf8') : '';
  return { intents, dictionary, errors };
}

/** Everything our model trains on: the intent files, the shop dictionary, the corpus and the lexicons under `dir`. */
export function loadTrainingDir(dir: string): {
  intents: IntentDef[];
  dictionary: string;
  corpus: CorpusLine[];
  lexicons: Lexicon[];
  errors: ScriptError[];
  problems: CorpusProblem[];
} {
  const { intents, dictionary, errors } = loadIntentsDir(dir);
  const { lines, lexicons, problems } = loadCorpusDir(dir, intents);
  return { intents, dictionary, corpus: lines, lexicons, errors, problems };
}

let shipped: { corpus: CorpusLine[]; lexicons: Lexicon[]; cacheDir?: string } | undefined;

/**
 * What the product trains on besides a script version's intent files: the corpus and lexicons
 * shipped in the repository's intents/ folder (read once), and the trained-model cache
 * directory: `NLU_CACHE_DIR`, default `.cache/nlu` at the repository root, `off` for none.
 * Corpus lines whose intent a script version no longer has are left out at training.
 */
export function shippedTraining(): { corpus: CorpusLine[]; lexicons: Lexicon[]; cacheDir?: string } {
  if (shipped === undefined) {
    const root = join(__dirname, '..', '..');
    const { lines, lexicons } = loadCorpusDir(join(root, 'intents'));
    const env = process.env.NLU_CACHE_DIR;
    const cacheDir = env === 'off' ? undefined : env !== undefined && env !== '' ? env : join(root, '.cache', 'nlu');
    shipped = { corpus: lines, lexicons, ...(cacheDir !== undefined ? { cacheDir } : {}) };
  }
  return shipped;
}
