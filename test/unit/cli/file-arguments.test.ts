import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../../support/run-cli.ts';

// A file named on the command line that cannot be read is a usage error: exit 2 and a
// message naming the file and the OS error, never a stack trace.
const dir = mkdtempSync(join(tmpdir(), 'hanzo-file-args-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const missing = join(dir, 'nonexistent');

function assertNoStack(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, stderr);
}

describe('files named on the command line', () => {
  test('`enrich <missing file>`: one line naming the file and the OS error, exit 2', async () => {
    const run = await runCli(['enrich', missing]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      run.stderr,
      `hanzo-ingest: enrich: cannot read ${missing}: ENOENT: no such file or directory\n`,
    );
    assert.equal(run.stdout, '');
  });

  test('`enrich <folder>`: one line, exit 2', async () => {
    const run = await runCli(['enrich', dir]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr, `hanzo-ingest: enrich: cannot read ${dir}: EISDIR: is a directory\n`);
  });

  test('`--config <missing file>` names the file and the OS error, exit 2', async () => {
    const run = await runCli(['--config', missing, 'check-config'], { KAFKA_BROKERS: 'k:9092' });
    assert.equal(run.code, 2, run.stderr);
    assertNoStack(run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`INGEST_CONFIG_FILE \\(${missing}\\): cannot read: ENOENT: no such file`),
    );
  });

  test('`topics apply --dir <missing folder>` names the folder and the OS error, exit 2', async () => {
    // The folder is read before any broker is contacted (the address is a closed port).
    const run = await runCli(['topics', 'apply', '--dry-run', '--dir', missing], {
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    assert.equal(run.code, 2, run.stderr);
    assertNoStack(run.stderr);
    assert.match(run.stderr, new RegExp(`topics folder ${missing}: ENOENT: no such file`));
  });
});
