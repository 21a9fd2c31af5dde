import { describe, test } from 'node:test';
import { ambiguousInsert } from '../../chaos/scenarios/ambiguous-insert.ts';
import { failingBatch } from '../../chaos/scenarios/failing-batch.ts';
import { zombie } from '../../chaos/scenarios/zombie.ts';
import { runScenario } from './run-scenario.ts';

describe('chaos (short matrix): network faults and a zombie', () => {
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
