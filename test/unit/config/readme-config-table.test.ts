import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { CLI_ENTRY, NODE_FLAGS } from '../../demo/worker-env.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');

/** The variable rows of a Markdown table, cells trimmed (prettier pads them). */
function variableRows(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .map((cell) => cell.trim())
        .join('|'),
    );
}

test('docs/configuration.md’s table is what `check-config --reference` prints (env-settings.ts)', async () => {
  const readme = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
  const start = readme.indexOf('| Variable ');
  assert.ok(start >= 0, 'docs/configuration.md has the table');
  const table = readme.slice(start, readme.indexOf('\n\n', start));
  const { stdout } = await run(
    process.execPath,
    [...NODE_FLAGS, CLI_ENTRY, 'check-config', '--reference'],
    { env: { PATH: process.env['PATH'] ?? '' } },
  );
  const printed = variableRows(stdout);
  assert.ok(printed.length > 50, `${printed.length} settings printed`);
  assert.deepEqual(variableRows(table), printed);
});
