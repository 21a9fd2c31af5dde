import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const script = join(import.meta.dirname, '../../stack/check-prerequisites.cjs');
const dir = mkdtempSync(join(tmpdir(), 'hanzo-prereq-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A folder holding executables that do nothing, to stand in for the real tools. */
function fakeTools(name: string, tools: readonly string[]): string {
  const bin = join(dir, name);
  mkdirSync(bin, { recursive: true });
  for (const tool of tools) {
    writeFileSync(join(bin, tool), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, tool), 0o755);
  }
  return bin;
}

async function check(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      // Installing is forbidden: the test never runs apt-get, even as root.
      { env: { HANZO_INSTALL_PREREQUISITES: 'never', ...env } },
      (err, _stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr }),
    );
  });
}

describe('check-prerequisites (pretest, predemo, .ci/run)', () => {
  test('missing tools: one line naming each tool and the packages to install, exit 1', async () => {
    const empty = fakeTools('empty', []);
    const run = await check([], {
      PATH: empty,
      PROMETHEUS_BIN: join(empty, 'prometheus'),
      PG_BIN_DIR: empty,
    });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(
      run.stderr,
      '[hanzo-ingest] `npm test` needs java, mvn, promtool, prometheus, postgres, not found: install them (Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless maven prometheus postgresql)\n',
    );
  });

  test('only what is missing is named; the demo needs no Prometheus', async () => {
    const some = fakeTools('some', ['java', 'promtool', 'prometheus']);
    const pg = fakeTools('pg-bin', ['initdb', 'postgres']);
    const run = await check([], {
      PATH: some,
      PROMETHEUS_BIN: join(some, 'prometheus'),
      PG_BIN_DIR: pg,
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /needs mvn, not found: .*apt-get install maven\)\n$/);
    const demo = await check(['demo'], {
      PATH: fakeTools('java-only', ['java']),
      PG_BIN_DIR: fakeTools('no-pg', []),
    });
    assert.match(demo.stderr, /`npm run demo` needs mvn, not found/);
  });

  test('the PostgreSQL server needs both initdb and postgres, from PG_BIN_DIR or PATH', async () => {
    const tools = fakeTools('tools', ['java', 'mvn', 'promtool', 'prometheus']);
    const base = { PROMETHEUS_BIN: join(tools, 'prometheus') };
    const half = fakeTools('half-pg', ['initdb']);
    const missing = await check([], { ...base, PATH: tools, PG_BIN_DIR: half });
    assert.match(missing.stderr, /needs postgres, not found: .*apt-get install postgresql\)\n$/);
    const full = fakeTools('full-pg', ['initdb', 'postgres']);
    assert.deepEqual(await check([], { ...base, PATH: tools, PG_BIN_DIR: full }), {
      code: 0,
      stderr: '',
    });
    // Without PG_BIN_DIR, PATH counts (Homebrew and other layouts; Debian's is looked at first).
    const onPath = await check([], { ...base, PATH: `${tools}:${full}` });
    assert.deepEqual(onPath, { code: 0, stderr: '' });
  });

  test('everything present (java from JAVA_HOME too): silent, exit 0', async () => {
    const all = fakeTools('all', ['mvn', 'promtool', 'prometheus', 'initdb', 'postgres']);
    const javaHome = join(dir, 'jdk');
    fakeTools('jdk/bin', ['java']);
    const run = await check(['test'], {
      PATH: all,
      JAVA_HOME: javaHome,
      PROMETHEUS_BIN: join(all, 'prometheus'),
    });
    assert.deepEqual(run, { code: 0, stderr: '' });
  });
});
