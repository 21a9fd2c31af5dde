// Runs before `npm test`, `npm run demo`, `npm run stack` and `npm run bench` (npm "pre" scripts),
// possibly on the machine's own older Node: plain CommonJS, no dependencies.
// Installs the locked dependencies (including the pinned Node 24 from the `node` package)
// when node_modules is missing or older than package-lock.json, so a clean clone needs
// nothing but these commands.
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..', '..');
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.hanzo-ingest-installed');
const wanted = createHash('sha256').update(readFileSync(lock)).digest('hex');
const nodeBin = join(root, 'node_modules', '.bin', 'node');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(nodeBin))
  process.exit(0);

console.error(
  '[hanzo-ingest] installing dependencies, including Node 24 from the `node` package...',
);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// `npm install` rather than `npm ci`: chdb lists per-platform optional packages that the
// registry does not serve for every platform, and `npm ci` refuses a lock file without
// them. Direct dependencies are pinned exactly and the lock file fixes the rest.
execFileSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
  cwd: root,
  stdio: 'inherit',
});
if (!existsSync(nodeBin)) {
  console.error(
    '[hanzo-ingest] node_modules/.bin/node is missing after npm ci: the `node` package did not install Node 24',
  );
  process.exit(1);
}
writeFileSync(stamp, wanted);
