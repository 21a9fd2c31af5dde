import { setTimeout as sleep } from 'node:timers/promises';
import { isInsert, parseToken, tokenOf } from '../harness/insert-log.ts';
import type { Check, Scenario } from '../harness/scenario.ts';
import { scaled } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

/**
 * 8. One batch keeps failing (the proxy resets every attempt to insert it) for 20 s while
 * the other partitions' batches land. Sampled all along, the committed offset of that
 * partition never passes the failing batch's first offset; afterwards everything lands.
 * The failure lasts at least 20 s from the first refused attempt, and until the batch was
 * refused 3 times and the other partitions committed past where they were (the worker
 * retries forever with capped backoff, and they land meanwhile): how long that takes on a
 * busy machine does not decide the verdict, only the generous bound on it does.
 */
export const failingBatch: Scenario = {
  name: 'failing-batch',
  fault: 'one batch refused for 20 s while later batches succeed',
  async run(env) {
    // 20 s in the full run; the short matrix (scale 0.2) keeps it to 10 s.
    const failingMs = Math.round(20_000 * Math.min(1, Math.max(0.5, env.scale)));
    const trial = await Trial.open(env, { name: 'failing_batch', proxied: true });
    try {
      for (let i = 0; i < 3; i++) trial.fleet.start();
      // Load all along, so that every partition has batches to land during the failure.
      const producers = [trial.producer(), trial.producer()];
      const rate = Math.round(1_000 * Math.max(0.25, env.scale));
      const producing = Promise.all(producers.map((p) => p.run(Number.POSITIVE_INFINITY, rate)));
      await trial.waitForRows(scaled(env, 5_000), 120_000);

      // The next insert of partition 0 fails, and so does every retry of it.
      let failing: string | undefined;
      const attempts: number[] = [];
      const rule = trial.proxy.addRule({
        action: 'reset',
        match: (request) => {
          if (!isInsert(request)) return false;
          const token = tokenOf(request);
          failing ??= parseToken(token)?.partition === 0 ? token : undefined;
          if (token !== failing) return false;
          attempts.push(request.at);
          return true;
        },
      });
      const before = await trial.committed();
      const othersMovedSince = (now: Map<number, number>): [number, number][] =>
        [...now].filter(([p, o]) => p !== 0 && o > (before.get(p) ?? -1));
      let maxCommitted = -1;
      let during = before;
      const bound = Date.now() + 180_000;
      let until = Number.POSITIVE_INFINITY;
      while (Date.now() < bound) {
        during = await trial.committed();
        maxCommitted = Math.max(maxCommitted, during.get(0) ?? -1);
        const firstRefusal = attempts[0];
        if (firstRefusal !== undefined) until = Math.min(until, firstRefusal + failingMs);
        if (
          Date.now() >= until &&
          attempts.length >= 3 &&
          othersMovedSince(during).length >= trial.partitions - 2
        )
          break;
        await sleep(200);
      }
      rule.remove();
      const range = parseToken(failing ?? '');
      const refusedMs = (attempts.at(-1) ?? 0) - (attempts[0] ?? 0);
      trial.log(
        `batch ${failing ?? '(none)'} refused ${attempts.length}× over ${(refusedMs / 1000).toFixed(1)} s`,
      );
      for (const p of producers) p.stop();
      await producing;
      const othersMoved = othersMovedSince(during);
      const checks: Check[] = [
        {
          name: 'a batch of partition 0 was refused, again and again',
          ok: range !== undefined && attempts.length >= 3,
          detail: `${failing ?? 'none'}: ${attempts.length} attempts`,
        },
        {
          name: "partition 0's committed offset never passed the refused batch",
          ok: range !== undefined && maxCommitted <= range.first,
          detail: `highest committed ${maxCommitted}, batch starts at ${range?.first ?? '?'}`,
        },
        {
          name: 'batches of other partitions landed and were committed meanwhile',
          ok: othersMoved.length >= trial.partitions - 2,
          detail: `${othersMoved.length} of ${trial.partitions - 1} partitions moved on`,
        },
      ];
      return await trial.finish(checks);
    } finally {
      await trial.close();
    }
  },
};
