import type { Message } from 'kafkajs';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { headerText, readTopic } from '../../support/kafka.ts';
import { poisonCases } from '../../support/poison.ts';
import type { Check, Scenario } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

const MAX_MESSAGE = 64 * 1024;
const MAX_PROPERTIES = 8 * 1024;

/**
 * 9. Every bad-input class (test/support/poison.ts: invalid JSON and UTF-8, not an object,
 * missing fields, wrong types, timestamps out of range, oversized message and properties,
 * an unknown Avro schema id) at the first, a middle and the last positions of every
 * partition, interleaved with good events; one worker is SIGKILLed half-way. Each bad
 * message must be in the DLQ with its reason, each good one in ClickHouse, once.
 */
export const badInput: Scenario = {
  name: 'bad-input',
  fault: 'every bad-input class first, middle and last in each partition; a SIGKILL half-way',
  async run(env) {
    const trial = await Trial.open(env, {
      name: 'bad_input',
      workerEnv: {
        DECODE_MAX_MESSAGE_BYTES: String(MAX_MESSAGE),
        DECODE_MAX_PROPERTIES_BYTES: String(MAX_PROPERTIES),
        DECODE_MAX_FUTURE_SKEW_MS: '3600000',
      },
    });
    try {
      const workers = [trial.fleet.start(), trial.fleet.start(), trial.fleet.start()];
      const poisons = poisonCases(MAX_MESSAGE, MAX_PROPERTIES);
      const goodPerGap = Math.max(20, Math.round(200 * env.scale));
      const producer = trial.producer();
      const expected = new Map<string, string>(); // "partition:offset" → reason
      const layouts: Message[][] = [];
      for (let partition = 0; partition < trial.partitions; partition++) {
        const layout: Message[] = [];
        const poison = (i: number): void => {
          const p = poisons[i % poisons.length]!;
          expected.set(`${partition}:${layout.length}`, p.reason);
          layout.push({ key: `poison-${i}`, value: p.value, partition });
        };
        const good = (n: number): void => {
          for (let j = 0; j < n; j++) layout.push(producer.source.nextMessage(partition));
        };
        poisons.forEach((_, i) => poison(i)); // first
        for (let i = 0; i < poisons.length; i++) {
          good(goodPerGap);
          poison(i); // middle, interleaved
        }
        good(goodPerGap);
        poisons.forEach((_, i) => poison(i)); // last
        layouts.push(layout);
      }
      // Each partition's layout in order; partitions one after another, the kill half-way.
      for (const [i, layout] of layouts.entries()) {
        for (let at = 0; at < layout.length; at += 500) {
          const chunk = layout.slice(at, at + 500);
          await producer.sendMessages(() => chunk);
        }
        if (i === Math.floor(layouts.length / 2)) {
          await trial.waitForRows(goodPerGap * poisons.length, 120_000);
          await trial.fleet.kill(workers[0]!);
          trial.fleet.start();
          trial.log('a worker SIGKILLed half-way');
        }
      }
      trial.log(`produced ${producer.acked} (${expected.size} bad)`);
      const outcome = await trial.finish();
      const reasons = await wrongReasons(trial, expected);
      return {
        ...outcome,
        checks: [
          ...outcome.checks,
          {
            name: `${expected.size} bad messages (${poisons.length} classes × 3 positions × ${trial.partitions} partitions) each dead-lettered with its reason`,
            ok: reasons.length === 0 && outcome.measurement.deadLetters === expected.size,
            detail: `${outcome.measurement.deadLetters} distinct dead letters${reasons.length > 0 ? `; wrong: ${reasons.slice(0, 5).join(', ')}` : ''}`,
          } satisfies Check,
        ],
      };
    } finally {
      await trial.close();
    }
  },
};

/** "partition:offset expected → found" for dead letters whose reason is not the expected one. */
async function wrongReasons(trial: Trial, expected: Map<string, string>): Promise<string[]> {
  const found = new Map<string, string>();
  for (const m of await readTopic(trial.kafka, trial.dlqTopic, 60_000)) {
    const origin = `${headerText(m.headers, DLQ_HEADERS.sourcePartition)}:${headerText(m.headers, DLQ_HEADERS.sourceOffset)}`;
    found.set(origin, headerText(m.headers, DLQ_HEADERS.errorClass) ?? '');
  }
  return [...expected]
    .filter(([origin, reason]) => found.get(origin) !== reason)
    .map(([origin, reason]) => `${origin} ${reason} → ${found.get(origin) ?? 'missing'}`);
}
