#!/usr/bin/env node
/**
 * Our npm registry mirror serves only the linux-x64 builds of packages that ship native
 * binaries per platform (@node-rs/jieba-*, @unrs/resolver-binding-*), so `npm install` writes
 * a lock file without entries for the other platforms and `npm ci` then refuses it as "out of
 * sync". This adds an entry for each missing optional platform package, marked optional with
 * its os/cpu, so npm skips it on platforms it does not match. Run after changing dependencies:
 *   node tools/lock-platform-stubs.js
 */
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const OS = ['android', 'darwin', 'freebsd', 'linux', 'win32', 'openharmony', 'sunos', 'aix'];
const CPU = ['arm64', 'arm', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'wasm32', 'universal'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  return { os, cpu };
}

let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const depKey = `node_modules/${dep}`;
    if (lock.packages[depKey] || (key && lock.packages[`${key}/${depKey}`])) continue;
    const { os, cpu } = platformOf(dep);
    if (!os || !cpu) continue; // not a per-platform binary: leave it to npm
    lock.packages[depKey] = { version, optional: true, os: [os], cpu: cpu === 'universal' ? undefined : [cpu] };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} platform stub entries`);
