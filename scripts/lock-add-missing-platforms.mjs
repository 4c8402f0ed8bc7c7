#!/usr/bin/env node
// The npm registry reachable here lacks some platform builds that turbo and biome list as optional dependencies
// (e.g. @turbo/darwin-64). `npm install` then leaves them out of package-lock.json and `npm ci` refuses the lock
// ("Missing: @turbo/darwin-64@ from lock file"). This adds the entries a normal lock would hold for them:
// optional, restricted to their os/cpu, so `npm ci` skips them on every other platform and never fetches them.
// Run after any `npm install` that rewrites the lock: node scripts/lock-add-missing-platforms.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORMS = {
  'android-arm64': ['android', 'arm64'], 'android-x64': ['android', 'x64'],
  'darwin-arm64': ['darwin', 'arm64'], 'darwin-x64': ['darwin', 'x64'], 'darwin-64': ['darwin', 'x64'],
  'linux-arm64': ['linux', 'arm64'], 'linux-x64': ['linux', 'x64'], 'linux-64': ['linux', 'x64'],
  'linux-arm64-musl': ['linux', 'arm64'], 'linux-x64-musl': ['linux', 'x64'],
  'win32-arm64': ['win32', 'arm64'], 'win32-x64': ['win32', 'x64'], 'windows-64': ['win32', 'x64'], 'windows-arm64': ['win32', 'arm64'],
};
const SCOPES = ['@biomejs/', '@turbo/'];

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const added = [];
for (const pkg of Object.values(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (lock.packages[key] || !SCOPES.some((s) => dep.startsWith(s))) continue;
    const platform = PLATFORMS[dep.split('/').pop().replace(/^cli-/, '')];
    if (!platform) throw new Error(`${dep}: unknown platform suffix; add it to PLATFORMS`);
    lock.packages[key] = { version, ...(pkg.dev ? { dev: true } : {}), optional: true, os: [platform[0]], cpu: [platform[1]] };
    added.push(`${dep}@${version}`);
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `added ${added.join(', ')}` : 'lock already complete');
