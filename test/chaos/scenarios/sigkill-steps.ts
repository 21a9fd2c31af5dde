import { setTimeout as sleep } from 'node:timers/promises';
import type { FailpointName } from '../../../src/observe/failpoints.ts';
import type { Check, Scenario } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

/** Every step of a batch's delivery where a worker can die. */
const STEPS: readonly FailpointName[] = [
  'before-pending-commit',
  'before-insert',
  'after-insert-before-commit',
  'during-commit',
];

/**
 * 2. SIGKILL at each step of a batch — before the pending range is committed, before the
 * insert, after the insert was acknowledged and before the commit, while the commit is on
 * the wire (one worker per step, beside two that stay) — then SIGKILLs at random moments on
 * random workers, each replaced at once.
 * Producers run the whole time; 2–3 workers are up at any moment.
 */
export const sigkillSteps: Scenario = {
  name: 'sigkill-steps',
  fault: 'SIGKILL at each step of a batch, then random SIGKILLs',
  async run(env) {
    const trial = await Trial.open(env, { name: 'sigkill' });
    const randomKills = Math.max(4, Math.round(20 * env.scale));
    try {
      trial.fleet.start();
      trial.fleet.start();
      // Steady load until the kills are over.
      const producers = [trial.producer(), trial.producer()];
      const rate = Math.round(800 * Math.max(0.25, env.scale));
      const load = Promise.all(producers.map((p) => p.run(Number.POSITIVE_INFINITY, rate)));
      const checks: Check[] = [];

      // One worker per step, all at once, each dying at its 2nd–5th batch at that step.
      const doomed = STEPS.map((step) => {
        const hit = 2 + Math.floor(Math.random() * 4);
        const worker = trial.fleet.start(
          { HANZO_INGEST_FAILPOINTS: `${step}:${hit}` },
          'may-be-killed',
        );
        return { step, hit, worker };
      });
      for (const { step, hit, worker } of doomed) {
        const exit = await Promise.race([
          worker.process.exited,
          sleep(180_000).then(() => 'alive'),
        ]);
        checks.push({
          name: `killed at ${step} (batch ${hit} of that worker)`,
          ok: exit === null,
          ...(exit === null
            ? {}
            : {
                detail: `the worker ${exit === 'alive' ? 'is still alive' : `exited ${String(exit)}`}`,
              }),
        });
      }
      trial.log('killed at every step');

      // Random timing: every 1–4 s a random worker dies and a new one takes its place. Only
      // workers up for a while are picked, so that the kills hit workers with batches in flight.
      for (let kills = 0; kills < randomKills;) {
        await sleep(1_000 + Math.random() * 3_000);
        const running = trial.fleet.running().filter((w) => Date.now() - w.startedAt > 8_000);
        const victim = running[Math.floor(Math.random() * running.length)];
        if (victim === undefined) continue;
        await trial.fleet.kill(victim);
        trial.fleet.start();
        kills++;
      }
      trial.log(`${randomKills} random kills done`);
      checks.push({ name: `${randomKills} random SIGKILLs`, ok: true });
      for (const p of producers) p.stop();
      await load;
      trial.log(`produced ${trial.acked}`);
      return await trial.finish(checks);
    } finally {
      await trial.close();
    }
  },
};
