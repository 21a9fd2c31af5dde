import { setTimeout as sleep } from 'node:timers/promises';
import { decodePendingRange } from '../../../src/commit/pending-range.ts';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import type { FailpointName } from '../../../src/observe/failpoints.ts';
import { queryRows } from '../../support/clickhouse.ts';
import { consumeCommittedWithJavaConsumer } from '../../support/java-consumer.ts';
import { deleteRecordsBefore, headerText, readTopic } from '../../support/kafka.ts';
import type { Check, Scenario } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

const BAD = Buffer.from('{"team_id": 1, "event": ');
/** Where the doomed workers die: both leave a landed range whose final commit never came. */
const STEPS: readonly FailpointName[] = [
  'after-insert-before-commit',
  'after-dead-letters-before-commit',
];

/**
 * 13. Retention and dead letters at the edges. Under steady load with a malformed message in
 * every ~40, workers are SIGKILLed between the insert and the commit and between the DLQ
 * transaction and the commit; right after each kill, DeleteRecords cuts the head off every
 * pending range that is fully processed (rows landed, dead letters written), so the next
 * owner re-forms it with its head gone. Nothing may be lost or landed twice, and the DLQ
 * (read committed) must hold one record per malformed message.
 */
export const retentionAndDlq: Scenario = {
  name: 'retention-and-dlq',
  fault: 'DeleteRecords into pending ranges; SIGKILLs between insert / DLQ and commit',
  async run(env) {
    const trial = await Trial.open(env, { name: 'retention_dlq', partitions: 6 });
    const rounds = Math.max(4, Math.round(10 * env.scale));
    try {
      trial.fleet.start();
      trial.fleet.start();
      const good = trial.producer();
      const bad = trial.producer();
      const rate = Math.round(600 * Math.max(0.25, env.scale));
      const load = good.run(Number.POSITIVE_INFINITY, rate);
      let badSent = 0;
      let stopped = false;
      const badLoad = (async () => {
        for (let i = 0; !stopped; i++) {
          await bad.sendMessages(() => [
            { key: `bad-${i}`, value: BAD, partition: i % trial.partitions },
          ]);
          badSent++;
          await sleep(Math.max(20, 40_000 / rate));
        }
      })();
      const checks: Check[] = [];
      let cuts = 0;
      for (let round = 0; round < rounds; round++) {
        const step = STEPS[round % STEPS.length]!;
        const doomed = trial.fleet.start(
          { HANZO_INGEST_FAILPOINTS: `${step}:${2 + (round % 3)}` },
          'may-be-killed',
        );
        const exit = await Promise.race([
          doomed.process.exited,
          sleep(120_000).then(() => 'alive'),
        ]);
        checks.push({ name: `round ${round + 1}: killed at ${step}`, ok: exit === null });
        // The two steady workers take its partitions over: no replacement, so the group stays
        // smaller than the topic's partitions and every round's newcomer gets some to fail on.
        if (exit === 'alive') await trial.fleet.terminate(doomed);
        cuts += await cutProcessedHeads(trial);
      }
      checks.push({
        name: 'DeleteRecords cut the head of at least one pending range',
        ok: cuts > 0,
        detail: `${cuts} cuts`,
      });
      stopped = true;
      good.stop();
      await Promise.all([load, badLoad]);
      trial.log(`produced ${good.acked} good, ${badSent} bad; ${cuts} heads cut`);
      const outcome = await trial.finish(checks);
      // Repeats as Kafka's own read_committed consumer sees them: kafkajs (the measurement's
      // reader) can return records of aborted transactions, which these kills leave behind.
      const sources = (await consumeCommittedWithJavaConsumer(trial.dlqTopic))
        .filter((r) => r.headers.get(DLQ_HEADERS.sourceTopic) === trial.topic)
        .map(
          (r) =>
            `${r.headers.get(DLQ_HEADERS.sourcePartition)}:${r.headers.get(DLQ_HEADERS.sourceOffset)}`,
        );
      const repeats = sources.length - new Set(sources).size;
      return {
        ...outcome,
        checks: [
          ...outcome.checks,
          {
            name: 'one dead letter per malformed message, none repeated',
            ok: repeats === 0 && outcome.measurement.deadLetters === badSent,
            detail: `${outcome.measurement.deadLetters} distinct of ${badSent}, ${repeats} repeats read committed by Kafka's consumer (${outcome.measurement.deadLetterRepeats} by kafkajs)`,
          } satisfies Check,
        ],
      };
    } finally {
      await trial.close();
    }
  },
};

/**
 * For every partition whose committed position records a pending range of which every
 * offset is accounted for (a row landed or a dead letter written), deletes the records up to
 * the middle of that range: what retention does to a range whose final commit never came.
 */
async function cutProcessedHeads(trial: Trial): Promise<number> {
  const admin = trial.kafka.admin();
  await admin.connect();
  let ranges;
  try {
    const [result] = await admin.fetchOffsets({ groupId: trial.group, topics: [trial.topic] });
    ranges = (result?.partitions ?? []).flatMap((p) => {
      const offset = BigInt(p.offset);
      const range = offset >= 0n ? decodePendingRange(p.metadata, offset) : undefined;
      return range === undefined ? [] : [{ partition: p.partition, ...range }];
    });
  } finally {
    await admin.disconnect();
  }
  if (ranges.length === 0) return 0;
  const dead = new Set(
    (await readTopic(trial.kafka, trial.dlqTopic, 60_000)).map(
      (m) =>
        `${headerText(m.headers, DLQ_HEADERS.sourcePartition)}:${headerText(m.headers, DLQ_HEADERS.sourceOffset)}`,
    ),
  );
  let cuts = 0;
  for (const { partition, first, last } of ranges) {
    const landed = await queryRows<{ offset: string }>(
      trial.clickhouse,
      `SELECT DISTINCT toString(_offset) AS offset FROM ${trial.table} WHERE _partition = {p:UInt32} AND _offset BETWEEN {a:UInt64} AND {b:UInt64}`,
      { p: partition, a: first.toString(), b: last.toString() },
    );
    const accounted = new Set(landed.map((r) => r.offset));
    for (let o = first; o <= last; o++) if (dead.has(`${partition}:${o}`)) accounted.add(String(o));
    if (BigInt(accounted.size) !== last - first + 1n) continue;
    const middle = first + (last - first + 1n) / 2n;
    await deleteRecordsBefore(trial.kafka, trial.topic, partition, Number(middle));
    trial.log(
      `DeleteRecords ${trial.topic}[${partition}] before ${middle} (pending ${first}-${last})`,
    );
    cuts++;
  }
  return cuts;
}
