import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

// The alert rules and the scrape configuration are checked by Prometheus's own tool. CI
// installs Prometheus (Debian package `prometheus`, see .ci/run); without promtool these
// tests fail rather than skip, so a machine that cannot check the rules does not pass.
const run = promisify(execFile);
const dir = join(import.meta.dirname, '../../docker/prometheus');

async function promtool(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: dir });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') {
      assert.fail('promtool not found: install Prometheus (apt-get install prometheus)');
    }
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`,
    };
  }
}

test('promtool check rules: alerts.yml is valid', async () => {
  const { code, output } = await promtool(['check', 'rules', 'alerts.yml']);
  assert.equal(code, 0, output);
  assert.match(output, /SUCCESS: \d+ rules found/);
});

test('promtool test rules: every alert fires when it should and only then', async () => {
  const { code, output } = await promtool(['test', 'rules', 'alerts.test.yml']);
  assert.equal(code, 0, output);
  assert.match(output, /SUCCESS/);
});

test('promtool check config: the compose scrape configuration is valid', async () => {
  const { code, output } = await promtool(['check', 'config', 'prometheus.yml']);
  assert.equal(code, 0, output);
});
