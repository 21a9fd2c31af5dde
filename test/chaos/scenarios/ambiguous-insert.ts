import { AmbiguousInserts } from '../harness/ambiguous-inserts.ts';
import type { Check, Scenario } from '../harness/scenario.ts';
import { scaled } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

/**
 * 3. Ambiguous inserts: the proxy between the workers and ClickHouse lets an INSERT through,
 * ClickHouse executes it, and the connection is cut before the answer arrives. The worker
 * cannot know it landed; it retries with the same token and ClickHouse drops the repeat.
 */
export const ambiguousInsert: Scenario = {
  name: 'ambiguous-insert',
  fault: 'connection cut after ClickHouse executed an insert; the retry repeats it',
  async run(env) {
    const trial = await Trial.open(env, { name: 'ambiguous', proxied: true });
    const cuts = Math.max(3, Math.round(10 * env.scale));
    const cutter = new AmbiguousInserts(trial.proxy, trial.clickhouse, trial.table, {
      every: 4,
      limit: cuts,
    });
    try {
      for (let i = 0; i < 3; i++) trial.fleet.start();
      const total = scaled(env, 40_000);
      await Promise.all([trial.producer(), trial.producer()].map((p) => p.run(total / 2, 1_000)));
      // Cut until enough inserts were cut or everything landed.
      await trial.poll(
        async () => cutter.cuts.length >= cuts || (await trial.committedToLogEnd()),
        180_000,
      );
      await cutter.close();
      trial.log(`produced ${trial.acked}; ${cutter.cuts.length} inserts cut`);
      return await trial.finish(ambiguityChecks(cutter, cuts));
    } finally {
      await cutter.close();
      await trial.close();
    }
  },
};

export function ambiguityChecks(cutter: AmbiguousInserts, expected: number): Check[] {
  const proven = cutter.cuts.filter((c) => c.landedBeforeRetry > 0);
  return [
    {
      name: `${expected} inserts cut after ClickHouse received them`,
      ok: cutter.cuts.length >= expected,
      detail: `${cutter.cuts.length} cut`,
    },
    {
      name: 'each cut insert had landed before its retry was let through',
      ok: proven.length === cutter.cuts.length,
      detail: `${proven.length}/${cutter.cuts.length} found in ClickHouse`,
    },
  ];
}
