import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '../../..');

/** The Markdown pages a reader follows from the README. */
function pages(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name));
  return [join(root, 'README.md'), join(root, 'BENCHMARKS.md'), join(root, 'src', 'README.md'), ...docs];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsIn(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.+)$/.exec(line);
    if (heading?.[1] !== undefined) anchors.add(anchorOf(heading[1]));
  }
  return anchors;
}

/** Relative links outside code: `[text](target)`. */
function linksIn(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z]+:/.test(target));
}

test('every relative link in the README and docs/ reaches a file and, if it names one, a heading', () => {
  const broken: string[] = [];
  for (const page of pages()) {
    const text = readFileSync(page, 'utf8');
    for (const link of linksIn(text)) {
      const [path = '', anchor] = link.split('#');
      const target = path === '' ? page : join(dirname(page), path);
      const where = `${relative(root, page)} → ${link}`;
      if (!existsSync(target)) {
        broken.push(`${where}: no such file`);
        continue;
      }
      if (anchor !== undefined && target.endsWith('.md')) {
        if (!anchorsIn(readFileSync(target, 'utf8')).has(anchor)) {
          broken.push(`${where}: no such heading`);
        }
      }
    }
  }
  assert.deepEqual(broken, []);
});

test('the README stays a front door: about 250 lines, none wider than 200 characters outside code', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const lines = readme.split('\n');
  assert.ok(lines.length <= 300, `README has ${lines.length} lines`);
  const prose = readme.replace(/```[\s\S]*?```/g, '').split('\n');
  const wide = prose.filter((line) => line.length > 200 && !line.startsWith('|'));
  assert.deepEqual(wide, []);
});
