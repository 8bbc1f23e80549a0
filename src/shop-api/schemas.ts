/**
 * Writes docs/shop-api/<name>.schema.json from the contract's zod schemas (src/shop/wire.ts):
 * `tsx src/shop-api/schemas.ts`. test/shop/wire.test.ts fails when the files are out of date.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { WIRE_SCHEMAS } from '../shop/wire';

/** The JSON Schema text of every contract schema by file name. */
export function contractSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, schema] of Object.entries(WIRE_SCHEMAS)) {
    const json = { title: `shop API v1: ${name}`, ...z.toJSONSchema(schema, { io: 'input' }) };
    out.set(`${name}.schema.json`, `${JSON.stringify(json, null, 2)}\n`);
  }
  return out;
}

if (require.main === module) {
  const dir = join(__dirname, '..', '..', 'docs', 'shop-api');
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of contractSchemas()) writeFileSync(join(dir, file), text);
  process.stdout.write(`wrote ${contractSchemas().size} schemas to ${dir}\n`);
}
