import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { CLI_ENTRY, NODE_FLAGS } from '../../demo/worker-env.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');

/** The commands a `--help` output lists (commander's "Commands:" section), without `help`. */
function listedCommands(help: string): string[] {
  const section = help.split('\nCommands:\n')[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)]
    .map((m) => m[1] ?? '')
    .filter((name) => name !== 'help');
}

async function helpOf(path: readonly string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [...NODE_FLAGS, CLI_ENTRY, ...path, '--help'], {
    env: { PATH: process.env['PATH'] ?? '' },
  });
  return stdout;
}

/** Every runnable command of the CLI, as `hanzo-ingest a [b]`, in `--help` order. */
async function cliCommands(): Promise<string[]> {
  const top = listedCommands(await helpOf([]));
  const subs = await Promise.all(top.map(async (name) => listedCommands(await helpOf([name]))));
  return top.flatMap((name, i) => {
    const children = subs[i] ?? [];
    return children.length === 0
      ? [`hanzo-ingest ${name}`]
      : children.map((sub) => `hanzo-ingest ${name} ${sub}`);
  });
}

test('docs/cli.md’s table lists exactly the commands `hanzo-ingest --help` has', async () => {
  const readme = readFileSync(join(root, 'docs/cli.md'), 'utf8');
  const documented = [
    ...readme.matchAll(/^\| `(hanzo-ingest [a-z-]+(?: [a-z-]+)?)[^`]*` +\|/gm),
  ].map((m) => m[1] ?? '');
  const commands = await cliCommands();
  assert.ok(commands.includes('hanzo-ingest topics apply'), commands.join(', '));
  assert.deepEqual(documented, commands);
});
