import { AmbiguousInserts } from '../harness/ambiguous-inserts.ts';
import type { Scenario } from '../harness/scenario.ts';
import { scaled } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';
import { ambiguityChecks } from './ambiguous-insert.ts';

/**
 * 11. Rollup deduplication: every other insert is made ambiguous (executed, connection cut,
 * retried with the same token) and one worker is killed after an acknowledged insert, so
 * whole batches are inserted twice. `token_usage_daily`, `events_hourly` and `sessions`
 * (fed by materialized views) must hold exactly the aggregates of the distinct events —
 * every run checks that; here retries hit the views on purpose.
 */
export const rollupDedup: Scenario = {
  name: 'rollup-dedup',
  fault: 'every other insert retried after it landed; a kill between insert and commit',
  async run(env) {
    const trial = await Trial.open(env, { name: 'rollup_dedup', proxied: true });
    const cuts = Math.max(4, Math.round(20 * env.scale));
    const cutter = new AmbiguousInserts(trial.proxy, trial.clickhouse, trial.table, {
      every: 2,
      limit: cuts,
    });
    try {
      const doomed = trial.fleet.start(
        { HANZO_INGEST_FAILPOINTS: 'after-insert-before-commit:2' },
        'may-be-killed',
      );
      trial.fleet.start();
      trial.fleet.start();
      const total = scaled(env, 40_000);
      await Promise.all([trial.producer(), trial.producer()].map((p) => p.run(total / 2, 1_000)));
      await trial.poll(
        async () => cutter.cuts.length >= cuts || (await trial.committedToLogEnd()),
        180_000,
      );
      await cutter.close();
      trial.log(`produced ${trial.acked}; ${cutter.cuts.length} inserts cut`);
      const outcome = await trial.finish(ambiguityChecks(cutter, cuts));
      const killed = doomed.exitCode === null;
      return {
        ...outcome,
        checks: [
          ...outcome.checks,
          { name: 'a worker was killed between an acknowledged insert and its commit', ok: killed },
        ],
      };
    } finally {
      await cutter.close();
      await trial.close();
    }
  },
};
