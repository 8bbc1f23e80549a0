#!/usr/bin/env node
/**
 * `npm run build`: the production build in dist/, run with `npm run start:prod`
 * (`node dist/src/main.js`, no TypeScript at run time).
 *   1. dist/ is emptied, then tsc compiles src/ (tsconfig.build.json) to dist/src/.
 *   2. The front-end files in src/web are copied to dist/src/web, where app.ts looks for them
 *      (next to the compiled app.js); the widget a shop embeds (widget.js, widget.css) is
 *      minified with esbuild. The server compresses and caches them at run time
 *      (src/transport/static-files.ts), so nothing is precompressed here.
 * Data stays outside dist/: intents/, templates/ and demo/ are read from SCRIPTS_DIR and
 * SHOP_DIR, relative to the working directory (the project root), as with `npm start`.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const webSrc = path.join(root, 'src', 'web');
const webOut = path.join(dist, 'src', 'web');
/** What shop pages load on every visit: worth the bytes. The console pages stay readable. */
const MINIFIED = new Set(['widget.js', 'widget.css']);

fs.rmSync(dist, { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('build: tsc failed');
  process.exit(tsc.status ?? 1);
}

const esbuild = require('esbuild');
fs.mkdirSync(webOut, { recursive: true });
let copied = 0;
for (const name of fs.readdirSync(webSrc).sort()) {
  const from = path.join(webSrc, name);
  if (!fs.statSync(from).isFile()) continue;
  const to = path.join(webOut, name);
  if (MINIFIED.has(name)) {
    const source = fs.readFileSync(from, 'utf8');
    const loader = name.endsWith('.css') ? 'css' : 'js';
    // The widget is a classic script on other shops' pages: keep it a script (no module
    // syntax), and target browsers the widget already supports.
    const out = esbuild.transformSync(source, { loader, minify: true, legalComments: 'none', target: loader === 'js' ? 'es2019' : 'chrome80' });
    fs.writeFileSync(to, out.code);
    console.log(`build: ${name} minified ${source.length} -> ${out.code.length} bytes`);
  } else {
    fs.copyFileSync(from, to);
  }
  copied++;
}
console.log(`build: dist/src compiled, ${copied} web files in dist/src/web`);
