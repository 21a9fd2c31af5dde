import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NODE_FLAGS, localWorkerEnv } from '../../demo/worker-env.ts';
import { spawnManaged } from '../../stack/process/managed-process.ts';
import { assertLandedExactlyOnce, landedCounts, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  committedPendingRange,
  createTopics,
  produce,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

/** The last commit whose worker wrote v1 pending ranges (tokens without a namespace). */
const V1_COMMIT = '0027dec';
const root = join(import.meta.dirname, '../../..');

/** The v1 worker's source tree, or undefined where git cannot produce it (shallow clone). */
function exportV1(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'hanzo-ingest-v1-'));
  try {
    const archive = execFileSync('git', ['-C', root, 'archive', V1_COMMIT, 'src', 'schemas'], {
      maxBuffer: 256 << 20,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    symlinkSync(join(root, 'package.json'), join(dir, 'package.json'));
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

describe('worker: rolling upgrade from v1 pending ranges', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  const v1 = exportV1();
  after(async () => {
    await clickhouse.close();
    if (v1 !== undefined) rmSync(v1, { recursive: true, force: true });
  });

  test(
    'a range a v1 worker left pending is re-formed under its v1 token',
    { skip: v1 === undefined },
    async () => {
      assert.ok(v1 !== undefined);
      const topic = uniqueName('upgrade');
      const table = uniqueName('upgrade');
      const group = uniqueName('group');
      await createTopics(kafka, [
        { topic, partitions: 1 },
        { topic: `${topic}_dlq`, partitions: 1 },
      ]);
      const env = {
        KAFKA_TOPICS: topic,
        KAFKA_DLQ_TOPIC: `${topic}_dlq`,
        KAFKA_GROUP_ID: group,
        CLICKHOUSE_TABLE: table,
        BATCH_MAX_ROWS: '100',
      };
      const { messages, events } = jsonEvents(300, 1, 51);
      await produce(kafka, topic, messages);

      // The v1 worker lands its first range (0-99 under `<topic>:0:0-99`: cut by rows only, the
      // age limit out of reach), then dies before committing past it.
      const stack = testStack();
      const logFile = join(process.env['HANZO_TEST_DIR'] ?? tmpdir(), `upgrade-v1-${table}.log`);
      const old = spawnManaged(
        process.execPath,
        [...NODE_FLAGS, join(v1, 'src/cli/main.ts'), 'run'],
        {
          name: `upgrade-v1-${table}`,
          logFile,
          cwd: v1,
          env: localWorkerEnv(
            {
              KAFKA_BROKERS: stack.brokers.join(','),
              CLICKHOUSE_URL: stack.clickhouse.url,
              CLICKHOUSE_USER: stack.clickhouse.username,
              CLICKHOUSE_PASSWORD: stack.clickhouse.password,
            },
            {
              ...env,
              INGEST_WORKER_ID: 'v1',
              BATCH_MAX_AGE_MS: '600000',
              HANZO_INGEST_FAILPOINTS: 'after-insert-before-commit:1',
            },
          ),
        },
      );
      assert.equal(await old.exited, null, 'killed by SIGKILL');
      // What the next owner reads back: a v1 range (no namespace), and it landed.
      const pending = await committedPendingRange(kafka, group, topic, 0);
      assert.ok(pending !== undefined, 'a pending range is recorded');
      assert.equal(pending.namespace, undefined, 'recorded in the v1 format');
      assert.equal((await committedOffsets(kafka, group, topic)).get(0), Number(pending.first));
      assert.equal(
        (await landedCounts(clickhouse, table)).rows,
        Number(pending.last - pending.first) + 1,
      );

      const upgraded = startWorkerProcess(`upgrade-v2-${table}`, env);
      try {
        await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
      } finally {
        upgraded.kill('SIGTERM');
        assert.equal(await upgraded.exited, 0, upgraded.log().slice(-3000));
      }
      await assertLandedExactlyOnce(
        clickhouse,
        table,
        events.map((e) => e.uuid),
      );
    },
  );
});
