import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

// Node runs the TypeScript sources by stripping types, which checks nothing: the suite
// type-checks and lints the whole tree so a type error or a lint error fails CI.
const run = promisify(execFile);
const bin = (name: string): string => join(import.meta.dirname, '../../node_modules/.bin', name);
const root = join(import.meta.dirname, '../..');

test('tsc --noEmit (strict) passes', async () => {
  const result = await run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: root }).catch(
    (err: { stdout?: string }) => err,
  );
  assert.equal('code' in result ? result.code : 0, 0, result.stdout);
});

test('eslint passes (typescript-eslint, no explicit any)', async () => {
  const result = await run(bin('eslint'), ['src', 'test'], {
    cwd: root,
    maxBuffer: 16 << 20,
  }).catch((err: { stdout?: string }) => err);
  assert.equal('code' in result ? result.code : 0, 0, result.stdout);
});
