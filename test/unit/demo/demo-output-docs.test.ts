/**
 * The demo output quoted in the docs keeps the report's sections, in the order the report
 * prints them, in docs/demo-output.md and in the README.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { heading, REPORT_SECTIONS } from '../../demo/render-report.ts';

const root = join(import.meta.dirname, '../../..');
const headingsIn = (text: string): string[] =>
  text.split('\n').filter((line) => /^== .* ==$/.test(line));

test('docs/demo-output.md shows every section of the demo report, in order', () => {
  const docs = readFileSync(join(root, 'docs/demo-output.md'), 'utf8');
  assert.deepEqual(headingsIn(docs), REPORT_SECTIONS.map(heading));
  const block = /```text\n([\s\S]*?)```/.exec(docs)?.[1] ?? '';
  assert.ok(block.split('\n').length - 1 <= 45, 'the abridged output fits in 45 lines');
});

test('the README quotes the demo output with the same sections in order', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const headings = headingsIn(readme);
  assert.deepEqual(headings, REPORT_SECTIONS.map(heading));
});
