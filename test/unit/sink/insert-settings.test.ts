import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insertSettings } from '../../../src/sink/insert-rows.ts';

describe('insertSettings', () => {
  it('pins one block per insert, the token and rollup deduplication', () => {
    const s = insertSettings('hanzo_events:3:100-199');
    assert.equal(s.insert_deduplication_token, 'hanzo_events:3:100-199');
    assert.equal(s.insert_deduplicate, 1);
    assert.equal(s.deduplicate_blocks_in_dependent_materialized_views, 1);
    assert.equal(s.async_insert, 0);
    assert.equal(s.distributed_foreground_insert, undefined);
  });

  it('into a Distributed table, waits for the shards before acknowledging', () => {
    assert.equal(insertSettings('t:0:0-9', true).distributed_foreground_insert, 1);
  });
});
