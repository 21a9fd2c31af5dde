import { setTimeout as sleep } from 'node:timers/promises';
import { committedBeyondLanded } from '../harness/committed-prefix.ts';
import type { Check, Scenario } from '../harness/scenario.ts';
import { scaled } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

const OUTAGE_MS = 60_000;

/**
 * 4. The ClickHouse endpoint is stopped for 60 s under load (the server process exits;
 * inserts in progress fail half-way) and started again on the same port and data. Workers
 * keep their partitions, pause, retry the same batches; nothing is committed that had not
 * landed, and everything lands once it is back.
 */
export const clickhouseDown: Scenario = {
  name: 'clickhouse-down',
  fault: 'ClickHouse server stopped for 60 s under load',
  needsServices: true,
  async run(env) {
    const server = env.services!.clickhouse;
    const trial = await Trial.open(env, { name: 'clickhouse_down' });
    try {
      for (let i = 0; i < 3; i++) trial.fleet.start();
      const total = scaled(env, 90_000);
      const producing = Promise.all(
        [trial.producer(), trial.producer()].map((p) => p.run(total / 2, 1_000)),
      );
      await trial.waitForRows(Math.min(5_000, total / 10), 120_000);
      trial.log('ClickHouse down');
      await server.stop();
      await sleep(OUTAGE_MS);
      const committedAtEnd = await trial.committed();
      await server.start();
      trial.log('ClickHouse up');
      const overclaimed = await committedBeyondLanded(
        trial.clickhouse,
        trial.table,
        committedAtEnd,
      );
      await producing;
      const checks: Check[] = [
        {
          name: 'no offset committed during the outage points past data not in ClickHouse',
          ok: overclaimed.length === 0,
          detail:
            overclaimed.length === 0 ? 'all committed prefixes landed' : overclaimed.join('; '),
        },
        {
          name: 'every worker kept running through the outage',
          ok: trial.fleet.running().length === 3,
          detail: `${trial.fleet.running().length}/3 running`,
        },
      ];
      return await trial.finish(checks);
    } finally {
      await server.start();
      await trial.close();
    }
  },
};
