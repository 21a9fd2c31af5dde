import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { RENDERINGS, renderingScript } from './renderings.ts';

/**
 * The rendered DDL is pinned in test/fixtures/schema/golden/: a change to a template or
 * the renderer shows up as a diff to review. Regenerate after an intended change with
 *   UPDATE_GOLDEN=1 npm test -- test/unit/schema
 */
const GOLDEN_DIR = join(import.meta.dirname, '../../fixtures/schema/golden');
const update = process.env['UPDATE_GOLDEN'] === '1';

describe('schema renderings match the golden files', () => {
  for (const [name, target] of Object.entries(RENDERINGS)) {
    test(`${name}.sql`, () => {
      const file = join(GOLDEN_DIR, `${name}.sql`);
      const rendered = renderingScript(target);
      if (update) writeFileSync(file, rendered);
      assert.equal(
        rendered,
        readFileSync(file, 'utf8'),
        `${file} differs (UPDATE_GOLDEN=1 to accept)`,
      );
    });
  }
});
