import { setTimeout as sleep } from 'node:timers/promises';
import { InsertLog, parseToken } from '../harness/insert-log.ts';
import type { Check, Scenario } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

/**
 * 7. A zombie: one worker freezes (SIGSTOP, from a `stop` failpoint right before an insert,
 * after its pending range was committed) for longer than the session timeout. The group
 * evicts it and the others take its partitions over. Then it resumes (SIGCONT): it must not
 * start an insert for the partitions it lost (its own proxy to ClickHouse logs every INSERT
 * it sends) and its commits are refused by the coordinator.
 *
 * The zombie runs one insert at a time (INSERT_MAX_IN_FLIGHT=1) so that "sent after it
 * resumed" means "started after it resumed": with several, inserts that passed their checks
 * in the same instant as the freeze leave the process only after it resumes (they are
 * deduplicated by their token; docs/reliability.md states that window).
 */
export const zombie: Scenario = {
  name: 'zombie',
  fault: 'SIGSTOP right before an insert for 30 s (> session timeout), then SIGCONT',
  async run(env) {
    // At least this long, and until the group moved on: longer than the session timeout
    // (15 s), so the group evicts the frozen worker (30 s in the full run, 20 s in the short).
    const frozenMs = 15_000 + Math.round(15_000 * Math.min(1, Math.max(1 / 3, env.scale)));
    const trial = await Trial.open(env, { name: 'zombie' });
    const zombieProxy = await trial.newProxy().catch(async (err: unknown) => {
      await trial.close();
      throw err;
    });
    const zombieInserts = new InsertLog(zombieProxy);
    try {
      const frozen = trial.fleet.start(
        {
          CLICKHOUSE_URL: zombieProxy.url,
          HANZO_INGEST_FAILPOINTS: 'before-insert:2:stop',
          INSERT_MAX_IN_FLIGHT: '1',
        },
        'stopped-with-sigterm',
      );
      trial.fleet.start();
      trial.fleet.start();
      // Load all along, so that every partition has something to commit while it is frozen.
      const producers = [trial.producer(), trial.producer()];
      const rate = Math.max(100, Math.round(1_000 * env.scale));
      const producing = Promise.all(producers.map((p) => p.run(Number.POSITIVE_INFINITY, rate)));
      const froze = await trial.fleet.waitUntilFrozen(frozen, 90_000);
      const frozenAt = Date.now();
      trial.log(`worker frozen: ${froze}`);
      const atFreeze = await trial.committed();
      // The group evicts it after the session timeout and hands its partitions to the others.
      let movedOn = 0;
      await trial.poll(async () => {
        const now = await trial.committed();
        movedOn = [...now].filter(([p, o]) => o > (atFreeze.get(p) ?? -1)).length;
        return movedOn === trial.partitions;
      }, 90_000);
      await sleep(Math.max(0, frozenAt + frozenMs - Date.now()));
      const thawedAt = Date.now();
      const committedAtThaw = await trial.committed();
      trial.fleet.thaw(frozen);
      trial.log(`worker resumed; ${movedOn}/${trial.partitions} partitions moved on meanwhile`);
      await sleep(5_000);
      for (const p of producers) p.stop();
      await producing;
      // Once it has rejoined, the zombie is a member again and inserts for the partitions it
      // gets; a zombie write is an insert of a range the group had already committed past.
      const afterThaw = zombieInserts.between(thawedAt, Date.now());
      const stale = afterThaw.filter((i) => {
        const range = parseToken(i.token);
        return range !== undefined && range.last < (committedAtThaw.get(range.partition) ?? -1);
      });
      const checks: Check[] = [
        { name: 'a worker froze right before an insert', ok: froze },
        {
          name: 'the group moved on without it (every partition committed further while it was frozen)',
          ok: movedOn === trial.partitions,
          detail: `${movedOn}/${trial.partitions} partitions`,
        },
        {
          name: 'after it resumed, the zombie inserted nothing the group had committed past',
          ok: stale.length === 0,
          detail: `${stale.length} stale inserts${stale.length > 0 ? `: ${stale.map((i) => `${i.token} (+${i.at - thawedAt} ms)`).join(', ')}` : ''}; ${afterThaw.length - stale.length} inserts after rejoining`,
        },
        {
          name: 'the zombie sent no insert while frozen',
          ok: zombieInserts.between(frozenAt + 500, thawedAt).length === 0,
        },
      ];
      return await trial.finish(checks);
    } finally {
      zombieInserts.close();
      await trial.close();
    }
  },
};
