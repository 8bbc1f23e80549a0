/**
 * .env.example documents every variable the server reads, and nothing it does not: a new
 * config variable without a line there (default and meaning) fails here.
 */
import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, loadConfig } from '../src/config';

const text = readFileSync('.env.example', 'utf8');
const documented = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);

describe('.env.example', () => {
  it('lists every configuration variable once', () => {
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('shows defaults the server accepts: uncommented, the file starts the server as is', () => {
    const env: Record<string, string> = {};
    for (const m of text.matchAll(/^#\s*([A-Z][A-Z0-9_]+)=(.*)$/gm)) if (m[1] && m[2] !== undefined) env[m[1]] = m[2];
    expect(() => loadConfig(env)).not.toThrow();
    const config = loadConfig(env);
    expect(config.port).toBe(3000);
    expect(config.trustProxy).toEqual({ kind: 'none' });
  });
});
