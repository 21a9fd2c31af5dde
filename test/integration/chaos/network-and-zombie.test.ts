import { describe, test } from 'node:test';
import { ambiguousInsert } from '../../chaos/scenarios/ambiguous-insert.ts';
import { failingBatch } from '../../chaos/scenarios/failing-batch.ts';
import { zombie } from '../../chaos/scenarios/zombie.ts';
import { runScenario } from './run-scenario.ts';

// Was excluded from `npm test` after a clean-clone CI run where creating its topic on the
// shared stack failed ("does not host this topic-partition") and the file then hung: the
// scenario's TCP proxy, opened before the failing set-up, was never closed. Trials now own
// their proxies and close everything when set-up fails, and topic creation tolerates that
// transient error. HANZO_CHAOS_NETWORK=0 leaves the file out.
const skip =
  process.env['HANZO_CHAOS_NETWORK'] === '0'
    ? 'HANZO_CHAOS_NETWORK=0: runs in npm run chaos only'
    : false;

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
