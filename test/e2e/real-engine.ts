/**
 * The real dialogue engine over the project's own intents/ and templates/, as main.ts builds
 * it (without the editor), for end-to-end tests of the buyer side.
 */
import { join } from 'node:path';
import { createEngine } from '../../src/dialogue/engine';
import { buildScriptBundle, loadScriptFiles, type ScriptBundle } from '../../src/scripts/bundle';
import { loadDemoShop } from '../../src/shop';
import type { ShopData } from '../../src/shop/types';
import type { ChatEngine } from '../../src/conversation/conversation-service';

export const ROOT = join(__dirname, '../..');

export function realEngine(clock?: () => Date): { engine: ChatEngine; shop: ShopData; bundle: ScriptBundle } {
  const shop = loadDemoShop(join(ROOT, 'demo/shop'));
  const { bundle, errors } = buildScriptBundle(loadScriptFiles(ROOT));
  if (!bundle) throw new Error(`scripts do not build: ${JSON.stringify(errors)}`);
  return { engine: createEngine({ shop, getScripts: () => bundle, ...(clock ? { clock } : {}) }), shop, bundle };
}
