import { setTimeout as sleep } from 'node:timers/promises';
import { InsertLog } from '../harness/insert-log.ts';
import type { Check, Scenario } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

const SHORT_OUTAGE_MS = 15_000;
/** Long enough for kafkajs consumers to give up and restart (their retries span ~60 s). */
const LONG_OUTAGE_MS = 75_000;
/** Requests already on their way when the broker went down may still pass the proxy. */
const IN_FLIGHT_MARGIN_MS = 1_000;

/**
 * 5. The broker stops under load, twice. The first time (15 s), one worker has frozen itself
 * right after an insert was acknowledged (a `stop` failpoint): it resumes while the broker is
 * down, so the commit of a batch that already landed fails and is retried. The second time
 * (75 s) is long enough for the workers' kafkajs consumers to give up and restart, the state
 * in which kafkajs once let commits "succeed" without sending them.
 *
 * With the broker down no pending range can be recorded, so no insert may reach ClickHouse
 * (the workers talk to it through a proxy that logs every INSERT).
 */
export const kafkaRestart: Scenario = {
  name: 'kafka-restart',
  fault: 'broker down 15 s, then 75 s, under load; a commit fails after its insert landed',
  needsServices: true,
  async run(env) {
    const broker = env.services!.kafka;
    const trial = await Trial.open(env, { name: 'kafka_restart', proxied: true });
    const inserts = new InsertLog(trial.proxy);
    try {
      // A worker whose consumer gives up during the outage exits 1; like an orchestrator,
      // the fleet starts a replacement.
      trial.fleet.supervise = true;
      const stalled = trial.fleet.start(
        { HANZO_INGEST_FAILPOINTS: 'after-insert-before-commit:8:stop' },
        'may-be-killed',
      );
      trial.fleet.start();
      trial.fleet.start();
      // Load all along: lanes hold batches whenever the broker goes away.
      const producers = [trial.producer(), trial.producer()];
      const rate = Math.round(1_000 * Math.max(0.25, env.scale));
      const producing = Promise.all(producers.map((p) => p.run(Number.POSITIVE_INFINITY, rate)));
      const checks: Check[] = [];
      const froze = await trial.fleet.waitUntilFrozen(stalled, 60_000);
      checks.push({
        name: 'a worker stopped between an acknowledged insert and its commit',
        ok: froze,
      });
      const outages: [number, number][] = [];
      const outage = async (ms: number, during?: () => void): Promise<void> => {
        trial.log('broker down');
        await broker.stop();
        const downAt = Date.now();
        during?.();
        await sleep(ms);
        outages.push([downAt + IN_FLIGHT_MARGIN_MS, Date.now()]);
        await broker.start();
        trial.log('broker up');
      };
      await outage(SHORT_OUTAGE_MS, () => trial.fleet.thaw(stalled));
      await sleep(10_000);
      await outage(LONG_OUTAGE_MS);
      await sleep(5_000);
      for (const p of producers) p.stop();
      await producing;
      trial.log(`produced ${trial.acked}`);
      const blind = outages.flatMap(([from, to]) => inserts.between(from, to));
      checks.push({
        name: 'no insert reached ClickHouse while the broker was down',
        ok: blind.length === 0,
        detail: `${blind.length} inserts (${blind
          .slice(0, 3)
          .map((i) => i.token)
          .join(', ')})`,
      });
      return await trial.finish(checks, {
        tolerateExit: (w) => w.exitCode === 1,
      });
    } finally {
      await broker.start();
      inserts.close();
      await trial.close();
    }
  },
};
