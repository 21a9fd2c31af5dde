import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CLI_ENTRY, NODE_FLAGS, localWorkerEnv } from '../../demo/worker-env.ts';
import { kafkaEngineObjects } from '../../../src/kafka-engine/object-names.ts';
import { assertLandedExactlyOnce, queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  createTopics,
  produce,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';
import { dropPipelineWhenIdle } from '../../fixtures/kafka-engine/drop-pipeline.ts';

const run = promisify(execFile);
const PARTITIONS = 3;
const BATCH = 2_000;

/**
 * One consumer group, one events table, switched worker → kafka-engine → worker while
 * events keep arriving, including a batch the Kafka engine consumes after its exporter
 * process stopped (the pipeline lives in ClickHouse) and a simulated block that landed
 * without its commit. Every event must land exactly once.
 */
describe('switching between mode worker and mode kafka-engine', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('hands over at the committed offsets: nothing lost, nothing twice', async () => {
    const topic = uniqueName('switch');
    const table = uniqueName('switch');
    const group = `${topic}_group`;
    await createTopics(kafka, [
      { topic, partitions: PARTITIONS },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    const env = {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
    };
    const engineEnv = {
      ...env,
      INGEST_MODE: 'kafka-engine',
      // Geo in SQL loads millions of networks at apply time: not what this test is about;
      // without user agents the engine's rows are told apart by their empty browser.
      ENRICH_GEO_ENABLED: 'false',
      ENRICH_USER_AGENT_ENABLED: 'false',
      KAFKA_ENGINE_NUM_CONSUMERS: '1',
      KAFKA_ENGINE_FLUSH_INTERVAL_MS: '500',
    };
    const uuids: string[] = [];
    let seed = 100;
    const produceBatch = async (): Promise<void> => {
      const { messages, events } = jsonEvents(BATCH, PARTITIONS, seed++);
      uuids.push(...events.map((e) => e.uuid));
      await produce(kafka, topic, messages);
    };
    const objects = kafkaEngineObjects({ database: 'default', eventsTable: table });

    try {
      // 1. Worker mode.
      await produceBatch();
      const worker1 = startWorkerProcess(`switch-w1-${table}`, env);
      await waitForCommittedToLogEnd(kafka, group, topic, 120_000);
      await worker1.stop(30_000);

      // 2. Events arrive while nothing consumes; kafka-engine mode takes over at the offsets.
      await produceBatch();
      const engine = startWorkerProcess(`switch-k-${table}`, engineEnv);
      await waitForCommittedToLogEnd(kafka, group, topic, 300_000);
      await produceBatch();
      await waitForCommittedToLogEnd(kafka, group, topic, 120_000);

      // 3. A worker refuses to start while the pipeline consumes the group.
      const refused = await cli(['run'], env);
      assert.notEqual(refused.code, 0, 'a worker must not start beside the Kafka engine');
      assert.match(refused.stdout + refused.stderr, /hanzo-ingest kafka-engine stop/);

      // 4. The exporter stops; ClickHouse keeps consuming until `kafka-engine stop`.
      await engine.stop(30_000);
      await produceBatch();
      const stopped = await cli(['kafka-engine', 'stop', '--wait', '120'], env);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.deepEqual(stopOutput(stopped.stdout).offsetsMoved, [], 'a clean stop moves no offset');

      // 5. A block that landed without its commit (the engine stopped between the two):
      //    simulated by moving partition 0's committed offset back. The hand-over moves it
      //    forward again, past the landed rows, instead of letting the worker insert them twice.
      const committed = await committedOffsets(kafka, group, topic);
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.setOffsets({
          groupId: group,
          topic,
          partitions: [{ partition: 0, offset: String((committed.get(0) ?? 0) - 100) }],
        });
      } finally {
        await admin.disconnect();
      }
      const repaired = await cli(['kafka-engine', 'stop', '--wait', '30'], env);
      assert.equal(repaired.code, 0, repaired.stderr);
      const moved = stopOutput(repaired.stdout).offsetsMoved;
      assert.deepEqual(
        moved.map((m) => ({ partition: m.partition, to: Number(m.to) })),
        [{ partition: 0, to: committed.get(0) }],
      );

      // 6. Back to worker mode for the rest.
      await produceBatch();
      const worker2 = startWorkerProcess(`switch-w2-${table}`, env);
      await waitForCommittedToLogEnd(kafka, group, topic, 120_000);
      await worker2.stop(30_000);

      await assertLandedExactlyOnce(clickhouse, `default.${table}`, uuids);
      const [errors] = await queryRows<{ n: number }>(
        clickhouse,
        `SELECT count() AS n FROM ${objects.errorsTable}`,
      );
      assert.equal(Number(errors?.n), 0);
      const [byMode] = await queryRows<{ engine: number; worker: number }>(
        clickhouse,
        `SELECT countIf(browser = '') AS engine, countIf(browser != '') AS worker FROM default.${table}`,
      );
      // Both modes really ran (the engine, user agents off here, leaves browser empty).
      assert.ok(
        Number(byMode?.engine) >= BATCH && Number(byMode?.worker) >= BATCH,
        JSON.stringify(byMode),
      );
    } finally {
      await dropPipelineWhenIdle(clickhouse, objects);
    }
  });
});

async function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stack = testStack();
  try {
    const { stdout, stderr } = await run(process.execPath, [...NODE_FLAGS, CLI_ENTRY, ...args], {
      env: localWorkerEnv(
        {
          KAFKA_BROKERS: stack.brokers.join(','),
          CLICKHOUSE_URL: stack.clickhouse.url,
          CLICKHOUSE_USER: stack.clickhouse.username,
          CLICKHOUSE_PASSWORD: stack.clickhouse.password,
        },
        { LOG_LEVEL: 'warn', ...env },
      ),
      timeout: 300_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

function stopOutput(stdout: string): { offsetsMoved: { partition: number; to: string }[] } {
  return JSON.parse(stdout) as { offsetsMoved: { partition: number; to: string }[] };
}
