import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFailpoints } from '../../../src/observe/failpoints.ts';

describe('HANZO_INGEST_FAILPOINTS', () => {
  test('name:count[:action], SIGKILL by default, kill@0 while a commit is on the wire', () => {
    const specs = parseFailpoints(
      'before-insert:3, after-insert-before-commit:2:stop,during-commit:5,before-pending-commit:1:kill@250',
    );
    assert.deepEqual(Object.fromEntries(specs), {
      'before-insert': { count: 3, action: { kind: 'kill' } },
      'after-insert-before-commit': { count: 2, action: { kind: 'stop' } },
      'during-commit': { count: 5, action: { kind: 'kill-after', ms: 0 } },
      'before-pending-commit': { count: 1, action: { kind: 'kill-after', ms: 250 } },
    });
  });

  test('fail: the first count passes fail; decompress fails by default', () => {
    const specs = parseFailpoints('decompress:10,before-insert:2:fail');
    assert.deepEqual(Object.fromEntries(specs), {
      decompress: { count: 10, action: { kind: 'fail' } },
      'before-insert': { count: 2, action: { kind: 'fail' } },
    });
  });

  test('unset or empty: inert; an unknown action is refused', () => {
    assert.equal(parseFailpoints(undefined).size, 0);
    assert.equal(parseFailpoints('').size, 0);
    assert.throws(() => parseFailpoints('before-insert:1:explode'), /unknown action "explode"/);
  });
});
