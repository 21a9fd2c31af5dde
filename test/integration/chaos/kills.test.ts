import { describe, test } from 'node:test';
import { sigkillSteps } from '../../chaos/scenarios/sigkill-steps.ts';
import { runScenario } from './run-scenario.ts';

describe('chaos (short matrix): SIGKILL', () => {
  test('at each step of a batch and at random moments: 0 lost, 0 duplicated', async (t) => {
    await runScenario(t, sigkillSteps);
  });
});
