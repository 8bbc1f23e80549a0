/**
 * Training off the event loop. Publishing a script retrains the model (seconds with the corpus
 * and the held-out calibration); a server must keep answering buyers meanwhile, so the training
 * runs in a worker thread and only the trained data (typed arrays, structured-cloned) comes
 * back. The jieba dictionary for the model is then loaded in the calling thread (cached per
 * dictionary, see segmenterFor).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { modelFromData, trainModelDataCached, type NluModel, type NluModelData, type TrainOptions } from './index';
import type { IntentDef } from './intents';

/** What can cross into the worker: every option except a classifier function. */
export type WorkerTrainOptions = Omit<TrainOptions, 'trainClassifier'>;

interface Job {
  nluTrain: true;
  intents: IntentDef[];
  dictionaryText: string;
  options: WorkerTrainOptions;
}

// Loads this file in the worker: under tsx/ts-jest the source is TypeScript, so tsx's CommonJS
// hook is registered first; compiled (dist) it is plain JavaScript.
const BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.file.endsWith('.ts')) require('tsx/cjs');
require(workerData.file);
`;

/** Trains in a worker thread; resolves with the model built from the worker's data. */
export function trainModelInWorker(intents: readonly IntentDef[], dictionaryText: string, options: WorkerTrainOptions = {}): Promise<NluModel> {
  const started = performance.now();
  const job: Job & { file: string } = { nluTrain: true, file: __filename, intents: [...intents], dictionaryText, options };
  return new Promise<NluModel>((resolve, reject) => {
    const worker = new Worker(BOOT, { eval: true, workerData: job });
    let settled = false;
    worker.once('message', (msg: { ok: true; data: NluModelData } | { ok: false; error: string }) => {
      settled = true;
      void worker.terminate();
      if (!msg.ok) {
        reject(new Error(`training in worker failed: ${msg.error}`));
        return;
      }
      try {
        resolve(modelFromData(intents, dictionaryText, msg.data, performance.now() - started));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    worker.once('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`training worker exited with code ${code} before answering`));
      settled = true;
    });
  });
}

// In the worker: train and post the plain data back.
if (!isMainThread && (workerData as Partial<Job> | null)?.nluTrain === true && parentPort) {
  const job = workerData as Job;
  try {
    const { classifierOverride: _unused, ...data } = trainModelDataCached(job.intents, job.dictionaryText, job.options);
    void _unused;
    parentPort.postMessage({ ok: true, data });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
}
