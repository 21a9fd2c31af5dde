// Runs before `npm test` and `npm run demo` (npm "pre" scripts) and from .ci/run, possibly
// on the machine's own older Node: plain CommonJS, no dependencies.
// Checks for what npm cannot bring: Java (the local Kafka broker's JVM), Maven (resolves
// its jars) and, for the tests, Prometheus (promtool checks the alert rules; a real
// Prometheus scrapes a worker) and the PostgreSQL server (per-team retention reads
// team_settings from a real one). As root with apt-get, installs what is missing; otherwise
// prints one line naming exactly what to install and exits 1.
//
//   node test/stack/check-prerequisites.cjs [test|demo]     (default: test)
//   HANZO_INSTALL_PREREQUISITES=never   never install, only report
'use strict';
const { accessSync, constants, readdirSync, statSync } = require('node:fs');
const { delimiter, join } = require('node:path');
const { execFileSync } = require('node:child_process');

/** Each tool, the Debian/Ubuntu package that brings it, and who needs it. */
const TOOLS = [
  { tool: 'java', pkg: 'openjdk-17-jre-headless', for: ['test', 'demo'] },
  { tool: 'mvn', pkg: 'maven', for: ['test', 'demo'] },
  { tool: 'promtool', pkg: 'prometheus', for: ['test'] },
  { tool: 'prometheus', pkg: 'prometheus', for: ['test'] },
  { tool: 'postgres', pkg: 'postgresql', for: ['test'] },
];

function isExecutableFile(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  const dirs = (process.env.PATH || '').split(delimiter).filter(Boolean);
  return dirs.some((dir) => isExecutableFile(join(dir, name)));
}

/**
 * Looked up where the code using it looks: java at $JAVA_HOME/bin/java or on PATH (as
 * Kafka's own scripts do), prometheus at $PROMETHEUS_BIN or /usr/bin/prometheus
 * (test/integration/observe/support/prometheus-process.ts), postgres (initdb and postgres)
 * in $PG_BIN_DIR, /usr/lib/postgresql/<major>/bin or on PATH, the others on PATH.
 */
function present(tool) {
  if (tool === 'postgres') return postgresPresent();
  const javaHome = process.env.JAVA_HOME;
  if (tool === 'java' && javaHome && isExecutableFile(join(javaHome, 'bin', 'java'))) return true;
  if (tool === 'prometheus') {
    return isExecutableFile(process.env.PROMETHEUS_BIN || '/usr/bin/prometheus');
  }
  return onPath(tool);
}

/** PostgreSQL's server programs where test/stack/postgres/find-postgres.ts looks for them. */
function postgresPresent() {
  const has = (dir) =>
    isExecutableFile(join(dir, 'initdb')) && isExecutableFile(join(dir, 'postgres'));
  if (process.env.PG_BIN_DIR) return has(process.env.PG_BIN_DIR);
  let majors = [];
  try {
    majors = readdirSync('/usr/lib/postgresql');
  } catch {
    // not Debian's layout
  }
  if (majors.some((major) => has(join('/usr/lib/postgresql', major, 'bin')))) return true;
  return (process.env.PATH || '').split(delimiter).filter(Boolean).some(has);
}

function missingTools(purpose) {
  return TOOLS.filter((t) => t.for.includes(purpose) && !present(t.tool));
}

function packagesOf(missing) {
  return [...new Set(missing.map((t) => t.pkg))];
}

const purpose = process.argv[2] || 'test';
if (!['test', 'demo'].includes(purpose)) {
  console.error(`[hanzo-ingest] check-prerequisites: unknown purpose "${purpose}" (test or demo)`);
  process.exit(2);
}

let missing = missingTools(purpose);
if (missing.length === 0) process.exit(0);

const installAllowed = process.env.HANZO_INSTALL_PREREQUISITES !== 'never';
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const apt = onPath('apt-get');
if (installAllowed && root && apt) {
  const packages = packagesOf(missing);
  console.error(`[hanzo-ingest] installing ${packages.join(' ')} (apt-get, as root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env });
  missing = missingTools(purpose);
  if (missing.length === 0) process.exit(0);
}

const tools = missing.map((t) => t.tool).join(', ');
const packages = packagesOf(missing).join(' ');
const command = purpose === 'test' ? 'npm test' : 'npm run demo';
const asRoot = installAllowed && !root && apt ? ', or run as root to have them installed' : '';
console.error(
  `[hanzo-ingest] \`${command}\` needs ${tools}, not found: install them (Debian/Ubuntu: sudo apt-get install ${packages})${asRoot}`,
);
process.exit(1);
