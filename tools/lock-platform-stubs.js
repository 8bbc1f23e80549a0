#!/usr/bin/env node
/**
 * Our npm registry mirror serves only the linux-x64 builds of packages that ship native
 * binaries per platform (@node-rs/jieba-*, @unrs/resolver-binding-*), so `npm install` writes
 * a lock file without entries for the other platforms and `npm ci` then refuses it as "out of
 * sync". This adds an entry for each missing optional platform package, marked optional with
 * its os/cpu (and dev when only dev dependencies need it), so npm skips it on platforms it does
 * not match. Run after changing dependencies:
 *   npm install && node tools/lock-platform-stubs.js && npm install
 *
 * The file is written exactly as npm writes it (json-stringify-nice with npm's preferred keys:
 * those first, then scalars and arrays before objects, each group in 'en' locale order), and a
 * stub carries the flags npm would give it, so a later `npm install` on a clean clone leaves the
 * lock file byte for byte unchanged. `--check` exits 1 instead of writing when it would change.
 */
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const before = fs.readFileSync(lockPath, 'utf8');
const lock = JSON.parse(before);
const OS = ['android', 'darwin', 'freebsd', 'linux', 'win32', 'openharmony', 'sunos', 'aix'];
const CPU = ['arm64', 'arm', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'wasm32', 'universal'];

/** npm's lock-file key order (arborist's swKeyOrder). */
const PREFERRED_KEYS = ['name', 'version', 'lockfileVersion', 'resolved', 'integrity', 'requires', 'packages', 'dependencies'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  return { os, cpu };
}

/** A stub we (or an earlier run) wrote: optional, platform-bound, never resolved from a registry. */
function isStub(entry) {
  return entry.optional === true && !entry.resolved && !entry.integrity && Array.isArray(entry.os);
}

// Which packages want each missing platform package, so its dev flag follows theirs: npm marks
// a package dev when only dev dependencies reach it.
const wantedBy = new Map();
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const depKey = `node_modules/${dep}`;
    const nested = key ? `${key}/${depKey}` : null;
    if (nested && lock.packages[nested]) continue;
    const existing = lock.packages[depKey];
    if (existing && !isStub(existing)) continue;
    const { os, cpu } = platformOf(dep);
    if (!os || !cpu) continue; // not a per-platform binary: leave it to npm
    const want = wantedBy.get(depKey) ?? { version, parents: [] };
    want.parents.push(entry);
    wantedBy.set(depKey, want);
  }
}

let added = 0;
let updated = 0;
for (const [depKey, { version, parents }] of wantedBy) {
  const { os, cpu } = platformOf(depKey);
  const dev = parents.every((p) => p.dev === true);
  const stub = { version, ...(dev ? { dev: true } : {}), optional: true, os: [os], ...(cpu === 'universal' ? {} : { cpu: [cpu] }) };
  const existing = lock.packages[depKey];
  if (!existing) added++;
  else if (JSON.stringify(sortKeys(existing)) !== JSON.stringify(sortKeys(stub))) updated++;
  lock.packages[depKey] = stub;
}

function sortKeys(obj) {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** json-stringify-nice, as npm uses it for package-lock.json. */
function stringifyNice(value) {
  const isObj = (v) => !!v && !Array.isArray(v) && typeof v === 'object';
  const rank = (k) => PREFERRED_KEYS.indexOf(k);
  const compare = (a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== -1 && rb !== -1) return ra - rb;
    if (ra !== -1) return -1;
    if (rb !== -1) return 1;
    return a.localeCompare(b, 'en');
  };
  const replacer = (_key, val) => {
    if (!isObj(val)) return val;
    return Object.fromEntries(Object.entries(val).sort(([ak, av], [bk, bv]) => (isObj(av) === isObj(bv) ? compare(ak, bk) : isObj(av) ? 1 : -1)));
  };
  return JSON.stringify(value, replacer, 2) + '\n';
}

const after = stringifyNice(lock);
if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error('package-lock.json is not as npm and tools/lock-platform-stubs.js would write it; run: node tools/lock-platform-stubs.js');
    process.exit(1);
  }
  console.log('package-lock.json: platform stubs complete, written as npm writes it');
} else {
  if (after !== before) fs.writeFileSync(lockPath, after);
  console.log(`added ${added}, updated ${updated} platform stub entries${after === before ? ' (no change)' : ''}`);
}
