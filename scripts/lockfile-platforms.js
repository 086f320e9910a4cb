#!/usr/bin/env node
// The registry this project installs from serves only the Linux builds of platform-specific packages
// (@swc/core-*, @unrs/resolver-binding-*), so `npm install` leaves the others out of package-lock.json,
// and `npm ci` then refuses the lock file as out of sync. This records each missing optional platform
// package as one that matches no platform, which `npm ci` skips without fetching.
// Run it after adding or upgrading a dependency: `npm run lock:platforms`.
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const meta of Object.values(packages)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    packages[key] = { version, optional: true, os: ['none'], cpu: ['none'] };
    added++;
  }
}
const [root, ...rest] = Object.keys(packages);
lock.packages = Object.fromEntries([root, ...rest.sort()].map((k) => [k, packages[k]]));
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: recorded ${added} optional platform package(s) this registry does not serve`);
