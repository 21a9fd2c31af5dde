import { describe, test } from 'node:test';
import { ambiguousInsert } from '../../chaos/scenarios/ambiguous-insert.ts';
import { failingBatch } from '../../chaos/scenarios/failing-batch.ts';
import { zombie } from '../../chaos/scenarios/zombie.ts';
import { runScenario } from './run-scenario.ts';

// Excluded from `npm test` for now: in the last clean-clone CI run its topic set-up on the
// shared test stack failed ("does not host this topic-partition") and then left the file
// hanging. The same scenarios run in `npm run chaos` (own stack). HANZO_CHAOS_NETWORK=1 runs it.
const skip =
  process.env['HANZO_CHAOS_NETWORK'] === '1'
    ? false
    : 'set-up flaky on the shared stack; runs in npm run chaos (HANZO_CHAOS_NETWORK=1 to include)';

describe('chaos (short matrix): network faults and a zombie', { skip }, () => {
  test('ambiguous inserts: the retry of an insert that landed is dropped, rollups exact', async (t) => {
    await runScenario(t, ambiguousInsert);
  });

  test('a zombie (SIGSTOP past the session timeout) starts no insert after it resumes', async (t) => {
    await runScenario(t, zombie);
  });

  test('a batch failing while later ones land: the committed offset never passes it', async (t) => {
    await runScenario(t, failingBatch);
  });
});
