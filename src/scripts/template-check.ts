/**
 * Template validation off the event loop (issue 15). Before the editor parses a template a
 * manager sent for validation, the same parse runs in a worker thread with a time limit: a
 * template that parses within it is then checked as usual (and is known to be cheap); one that
 * does not is refused with TEMPLATE_CHECK_TIMEOUT and the worker is terminated, so buyers'
 * messages and /healthz never wait behind it. One long-lived worker, jobs one at a time.
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { scriptError, type ScriptError } from './errors';
import { templateLimitErrors } from './template-limits';

/** Parse time allowed for one template file. */
export const TEMPLATE_CHECK_TIMEOUT_MS = 3000;

interface Reply {
  id?: number;
  ready?: boolean;
  errors?: number;
}

/**
 * The worker running template-check-worker (compiled .js in a build; under tsx/jest the .ts
 * source, loaded through tsx's require hook).
 */
function startWorker(): Worker {
  const ext = extname(__filename);
  const entry = join(__dirname, `template-check-worker${ext}`);
  if (ext !== '.ts') return new Worker(entry);
  const code = `const { workerData } = require('node:worker_threads'); require(workerData.tsx); require(workerData.entry);`;
  return new Worker(code, { eval: true, workerData: { tsx: require.resolve('tsx/cjs'), entry } });
}

export class TemplateChecker {
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  constructor(private readonly timeoutMs = TEMPLATE_CHECK_TIMEOUT_MS) {}

  /**
   * Empty when `text` is within the size and nesting limits and parses within the time
   * limit; otherwise the errors that refuse it (TEMPLATE_TOO_LARGE, TEMPLATE_TOO_DEEP,
   * TEMPLATE_CHECK_TIMEOUT). Syntax errors are left to the editor's own check.
   */
  check(path: string, text: string): Promise<ScriptError[]> {
    const limits = templateLimitErrors(path, text);
    if (limits.length > 0) return Promise.resolve(limits);
    const run = this.chain.then(() => this.run(path, text));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(path: string, text: string): Promise<ScriptError[]> {
    const worker = await this.start();
    const id = this.nextId++;
    return new Promise<ScriptError[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.off('message', onMessage);
        this.stop();
        resolve([scriptError('TEMPLATE_CHECK_TIMEOUT', { ms: this.timeoutMs }, { file: path, line: 0 })]);
      }, this.timeoutMs);
      const onMessage = (m: Reply): void => {
        if (m.id !== id) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve([]);
      };
      worker.on('message', onMessage);
      worker.once('error', (err) => {
        clearTimeout(timer);
        this.stop();
        reject(err);
      });
      worker.postMessage({ id, path, text });
    });
  }

  private start(): Promise<Worker> {
    if (this.ready) return this.ready;
    const worker = startWorker();
    worker.unref();
    this.worker = worker;
    this.ready = new Promise<Worker>((resolve, reject) => {
      const onReady = (m: Reply): void => {
        if (!m.ready) return;
        worker.off('message', onReady);
        resolve(worker);
      };
      worker.on('message', onReady);
      worker.once('error', reject);
    });
    this.ready.catch(() => this.stop());
    return this.ready;
  }

  /** Terminates the worker (a new one starts with the next check). */
  stop(): void {
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    if (w) void w.terminate();
  }
}
