import { setTimeout as sleep } from 'node:timers/promises';
import { testStack } from '../../support/stack-env.ts';
import { TcpProxy } from '../../support/tcp-proxy.ts';
import { InsertLog } from '../harness/insert-log.ts';
import type { Check, Scenario } from '../harness/scenario.ts';
import { scaled } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

const OUTAGE_MS = 15_000;
/** Requests already on their way when the broker went down may still pass the proxy. */
const IN_FLIGHT_MARGIN_MS = 1_000;

/**
 * 5. The broker stops under load, twice. The first time, one worker has frozen itself right
 * after an insert was acknowledged (a `stop` failpoint): it resumes while the broker is
 * down, so the commit of a batch that already landed fails and is retried. The second time
 * is a plain restart with producers and workers running.
 *
 * With the broker down no pending range can be recorded, so no insert may reach ClickHouse
 * (the workers talk to it through a proxy that logs every INSERT).
 */
export const kafkaRestart: Scenario = {
  name: 'kafka-restart',
  fault: 'broker down 15 s twice under load; a commit fails after its insert landed',
  needsServices: true,
  async run(env) {
    const broker = env.services!.kafka;
    const proxy = await TcpProxy.start(testStack().clickhouse.url);
    const inserts = new InsertLog(proxy);
    const trial = await Trial.open(env, {
      name: 'kafka_restart',
      workerEnv: { CLICKHOUSE_URL: proxy.url },
    });
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
      const total = scaled(env, 90_000);
      const producing = Promise.all(
        [trial.producer(), trial.producer()].map((p) => p.run(total / 2, 1_500)),
      );
      const checks: Check[] = [];
      const froze = await trial.fleet.waitUntilFrozen(stalled, 60_000);
      checks.push({
        name: 'a worker stopped between an acknowledged insert and its commit',
        ok: froze,
      });
      const outages: [number, number][] = [];
      const outage = async (during?: () => void): Promise<void> => {
        trial.log('broker down');
        await broker.stop();
        const downAt = Date.now();
        during?.();
        await sleep(OUTAGE_MS);
        outages.push([downAt + IN_FLIGHT_MARGIN_MS, Date.now()]);
        await broker.start();
        trial.log('broker up');
      };
      await outage(() => trial.fleet.thaw(stalled));
      await sleep(10_000);
      await outage();
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
      await proxy.close();
    }
  },
};
