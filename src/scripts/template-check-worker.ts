/**
 * Worker side of the off-thread template check (template-check.ts): parses one template file
 * the way the editor does and says when it is done. Runs in a worker thread, so a template
 * that takes long to parse holds only this thread, which the main thread can terminate.
 */
import { parentPort } from 'node:worker_threads';
import { parseTemplateFile } from '../replies/templates';
import { templateLimitErrors } from './template-limits';

interface Job {
  id: number;
  path: string;
  text: string;
}

const port = parentPort;
if (port) {
  port.on('message', (job: Job) => {
    const limits = templateLimitErrors(job.path, job.text);
    const errors = limits.length > 0 ? limits : parseTemplateFile(job.path, job.text).errors;
    port.postMessage({ id: job.id, errors: errors.length });
  });
  port.postMessage({ ready: true });
}
