/** templates/README.md is generated from src/replies/variables.ts: a variable added without regenerating it fails here. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { variablesMarkdown } from '../../src/replies/variables';

test('templates/README.md documents exactly the variables in src/replies/variables.ts', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'templates', 'README.md'), 'utf8');
  // On a mismatch: npx tsx src/replies/variables.ts > templates/README.md
  expect(readme).toBe(variablesMarkdown());
});
