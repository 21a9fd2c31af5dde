import assert from 'node:assert/strict';
import { test } from 'node:test';

test('scripts and tests run on Node 24 LTS (the pinned `node` package)', () => {
  assert.match(process.version, /^v24\./, `running on ${process.version} from ${process.execPath}`);
});
