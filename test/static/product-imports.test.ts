import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import ts from 'typescript';

// The product is `src/`: what the image compiles and ships. Development tooling (the local
// stack, the demo runner) lives under `test/`. This keeps the separation true: no file in
// `src/` reaches outside it, and the build compiles nothing else.
const root = join(import.meta.dirname, '../..');
const srcDir = join(root, 'src');

/** Relative, absolute and file: specifiers name a path; bare ones name a package. */
function pathOf(specifier: string, fromDir: string): string | undefined {
  if (specifier.startsWith('file:')) return fileURLToPath(specifier);
  if (specifier.startsWith('.') || isAbsolute(specifier)) return resolve(fromDir, specifier);
  return undefined;
}

/**
 * Every module specifier of a file that points outside `src/`, with where it lands: static and
 * dynamic imports, `export … from`, `require()`, and `new URL('…', import.meta.url)` (how a
 * file names a sibling it spawns or reads).
 */
function importsLeavingSrc(file: string, text: string): string[] {
  const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  for (const m of text.matchAll(/new URL\(\s*(['"`])([^'"`]+)\1\s*,\s*import\.meta\.url/g)) {
    if (m[2] !== undefined) specifiers.push(m[2]);
  }
  return specifiers.flatMap((specifier) => {
    const target = pathOf(specifier, dirname(file));
    if (target === undefined) return [];
    const inside = relative(srcDir, target);
    if (!inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside)) return [];
    return [`${specifier} → ${relative(root, target).split(sep).join('/')}`];
  });
}

describe('the product (src/) stands apart from development tooling (test/)', () => {
  test('the check sees every kind of import that leaves src/, and no package or src/ import', () => {
    const file = join(srcDir, 'cli', 'example.ts');
    const text = [
      "import { startStack } from '../../test/stack/local-stack.ts';",
      "import type { Stack } from '../../test/stack/types.ts';",
      "export { freePort } from '../../test/stack/process/free-port.ts';",
      "const m = await import('../../test/demo/worker-env.ts');",
      "const pom = new URL('../../test/stack/kafka/pom.xml', import.meta.url);",
      "import { loadConfig } from '../config/load-config.ts';",
      "import { Kafka } from 'kafkajs';",
      "import { join } from 'node:path';",
    ].join('\n');
    assert.deepEqual(importsLeavingSrc(file, text), [
      '../../test/stack/local-stack.ts → test/stack/local-stack.ts',
      '../../test/stack/types.ts → test/stack/types.ts',
      '../../test/stack/process/free-port.ts → test/stack/process/free-port.ts',
      '../../test/demo/worker-env.ts → test/demo/worker-env.ts',
      '../../test/stack/kafka/pom.xml → test/stack/kafka/pom.xml',
    ]);
  });

  test('no file in src/ imports anything outside src/ (test/ holds the stack and the demo)', () => {
    const files = globSync('**/*.ts', { cwd: srcDir }).map((f) => join(srcDir, f));
    assert.ok(files.length > 100, `only ${files.length} files under src/`);
    const offenders = files.flatMap((file) =>
      importsLeavingSrc(file, readFileSync(file, 'utf8')).map(
        (leak) => `${relative(root, file)}: ${leak}`,
      ),
    );
    assert.deepEqual(offenders, []);
  });

  test('the development stack and the demo runner are not in src/', () => {
    assert.deepEqual(globSync(['stack/**', 'demo/**'], { cwd: srcDir }), []);
  });

  test('tsconfig.build.json (what the image compiles) takes only files under src/', () => {
    const configFile = join(root, 'tsconfig.build.json');
    const read = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path));
    assert.equal(read.error, undefined);
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configFile);
    assert.deepEqual(parsed.errors, []);
    assert.ok(parsed.fileNames.length > 100, `only ${parsed.fileNames.length} files`);
    const outside = parsed.fileNames.filter((f) => relative(srcDir, f).startsWith('..'));
    assert.deepEqual(outside, []);
  });
});
