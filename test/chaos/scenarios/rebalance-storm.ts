import { setTimeout as sleep } from 'node:timers/promises';
import type { Check, Scenario } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

const STEP_MS = 10_000;
const STORM_MS = 60_000;

/**
 * 6. Rebalance storm: every 10 s for a minute a worker joins or one leaves (SIGTERM: it
 * drains, commits and leaves the group), under steady load. Between 1 and 4 workers.
 */
export const rebalanceStorm: Scenario = {
  name: 'rebalance-storm',
  fault: 'a worker added or removed every 10 s for 60 s',
  async run(env) {
    const trial = await Trial.open(env, { name: 'rebalance_storm' });
    try {
      trial.fleet.start();
      trial.fleet.start();
      const producers = [trial.producer(), trial.producer()];
      const rate = Math.max(200, Math.round(1_000 * env.scale));
      const producing = Promise.all(producers.map((p) => p.run(Number.POSITIVE_INFINITY, rate)));
      // add, add, remove, remove, add, remove…: never fewer than 1 or more than 4 workers.
      const moves = ['add', 'add', 'remove', 'remove', 'add', 'remove'] as const;
      let changes = 0;
      for (let t = 0, i = 0; t < STORM_MS; t += STEP_MS, i++) {
        await sleep(STEP_MS);
        const running = trial.fleet.running();
        const move = moves[i % moves.length];
        if ((move === 'add' && running.length < 4) || running.length <= 1) {
          trial.fleet.start();
        } else {
          const leaving = running[Math.floor(Math.random() * running.length)]!;
          await trial.fleet.terminate(leaving);
        }
        changes++;
        trial.log(`${move}: ${trial.fleet.running().length} workers`);
      }
      for (const p of producers) p.stop();
      await producing;
      const checks: Check[] = [
        { name: `${changes} membership changes under load`, ok: changes >= STORM_MS / STEP_MS },
      ];
      return await trial.finish(checks);
    } finally {
      await trial.close();
    }
  },
};
