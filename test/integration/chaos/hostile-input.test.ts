import { describe, test } from 'node:test';
import { hostileInput } from '../../chaos/scenarios/hostile-input.ts';
import { runScenario } from './run-scenario.ts';

describe('chaos (short matrix): what real producers send', () => {
  test('every codec, hostile events, a 120-month backfill, a malformed burst: 0 lost, 0 duplicated', async (t) => {
    await runScenario(t, hostileInput);
  });
});
