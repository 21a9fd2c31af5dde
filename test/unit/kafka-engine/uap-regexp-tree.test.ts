import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  loadUapRegexpTree,
  uapRows,
} from '../../../src/kafka-engine/user-agent/uap-regexp-tree.ts';

describe('uapRows', () => {
  test('one flat node per regex, in file order, each list setting its own attributes', () => {
    const rows = uapRows({
      user_agent_parsers: [
        { regex: '(Chrome)/(\\d+)\\.(\\d+)' },
        { regex: 'bingbot/(\\d+)', family_replacement: 'Bing $1', v1_replacement: '$1' },
      ],
      os_parsers: [{ regex: 'Windows NT (\\d+)', os_replacement: 'Windows', regex_flag: 'i' }],
      device_parsers: [{ regex: '(iPhone)' }],
    });
    assert.deepEqual(rows, [
      {
        id: 1,
        parent_id: 0,
        regexp: '(Chrome)/(\\d+)\\.(\\d+)',
        keys: ['browser', 'browser_version'],
        values: ['\\1', '\\2.\\3.\\4'],
      },
      {
        id: 2,
        parent_id: 0,
        regexp: 'bingbot/(\\d+)',
        keys: ['browser', 'browser_version'],
        values: ['Bing \\1', '\\1.\\3.\\4'],
      },
      {
        id: 3,
        parent_id: 0,
        regexp: '(?i)Windows NT (\\d+)',
        keys: ['os', 'os_version'],
        values: ['Windows', '\\2.\\3.\\4'],
      },
      { id: 4, parent_id: 0, regexp: '(iPhone)', keys: ['device'], values: ['\\1'] },
    ]);
  });

  test('the pinned uap-core package loads', () => {
    const tree = loadUapRegexpTree();
    assert.ok(tree.rows.length > 1000, `rows: ${tree.rows.length}`);
    assert.match(tree.version, /^\d+\.\d+\.\d+$/);
  });
});
