import type { Scenario } from '../harness/scenario.ts';
import { scaled } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

/** 1. No fault: 3 workers, 12 partitions, two producers at a steady rate. */
export const baseline: Scenario = {
  name: 'baseline',
  fault: 'none: 3 workers, 12 partitions, steady load',
  async run(env) {
    const trial = await Trial.open(env, { name: 'baseline' });
    try {
      for (let i = 0; i < 3; i++) trial.fleet.start();
      const total = scaled(env, 60_000);
      await Promise.all([trial.producer(), trial.producer()].map((p) => p.run(total / 2, 1_500)));
      trial.log(`produced ${trial.acked}`);
      return await trial.finish();
    } finally {
      await trial.close();
    }
  },
};
