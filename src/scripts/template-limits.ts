/**
 * Limits on a reply-template file before anything parses it (issue 15): Handlebars parses
 * recursively, so a 120 KB file of 5,000 nested {{#if}} held the event loop for half a
 * minute. These checks are one linear scan: file size, and how deep block helpers nest.
 * Anything that passes them is small and shallow enough to parse; the off-thread check
 * (template-check.ts) bounds the time of whatever else might be slow.
 */
import { scriptError, type ScriptError } from './errors';

/** Largest template file accepted (the shipped ones are under 3 KB). */
export const MAX_TEMPLATE_FILE_BYTES = 32 * 1024;
/** Deepest nesting of {{#…}} / {{^…}} blocks accepted. */
export const MAX_BLOCK_DEPTH = 8;

/** Opening ({{#x}}, {{^x}}, {{#> x}}) and closing ({{/x}}) block tags, with optional ~ whitespace control. */
const BLOCK_TAG = /\{\{~?\s*([#^/])/g;

/** Size and nesting errors of one template file; empty when it may be parsed. */
export function templateLimitErrors(file: string, text: string): ScriptError[] {
  let depth = 0;
  for (const m of text.matchAll(BLOCK_TAG)) {
    depth += m[1] === '/' ? -1 : 1;
    if (depth > MAX_BLOCK_DEPTH) {
      const line = text.slice(0, m.index).split('\n').length;
      return [scriptError('TEMPLATE_TOO_DEEP', { depth: deepest(text), max: MAX_BLOCK_DEPTH }, { file, line })];
    }
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_TEMPLATE_FILE_BYTES) {
    return [scriptError('TEMPLATE_TOO_LARGE', { bytes, max: MAX_TEMPLATE_FILE_BYTES }, { file, line: 0 })];
  }
  return [];
}

function deepest(text: string): number {
  let depth = 0;
  let max = 0;
  for (const m of text.matchAll(BLOCK_TAG)) {
    depth += m[1] === '/' ? -1 : 1;
    max = Math.max(max, depth);
  }
  return max;
}

/** Limit errors of every template file in a set. */
export function templateSetLimitErrors(files: Record<string, string>): ScriptError[] {
  return Object.keys(files)
    .filter((p) => p.startsWith('templates/'))
    .flatMap((p) => templateLimitErrors(p, files[p] ?? ''));
}
