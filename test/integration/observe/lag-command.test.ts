import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Kafka, Message } from 'kafkajs';
import { CLI_ENTRY, NODE_FLAGS } from '../../demo/worker-env.ts';
import { createTopics, produce, testKafka } from '../../support/kafka.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';

const run = promisify(execFile);

async function lagCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [...NODE_FLAGS, CLI_ENTRY, 'lag', ...args],
      {
        timeout: 60_000,
        env: {
          PATH: process.env['PATH'] ?? '',
          KAFKA_BROKERS: testStack().brokers.join(','),
          LOG_LEVEL: 'warn',
          ...env,
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('hanzo-ingest lag', () => {
  let kafka: Kafka;
  const topic = uniqueName('lagcli');
  const group = uniqueName('lagcli_group');

  // Partition 0: 100 messages, all committed; 1: 50, committed up to 20; 2: 30, never committed.
  before(async () => {
    kafka = testKafka();
    await createTopics(kafka, [{ topic, partitions: 3 }]);
    const messages: Message[] = [];
    for (const [partition, n] of [
      [0, 100],
      [1, 50],
      [2, 30],
    ] as const) {
      for (let i = 0; i < n; i++) messages.push({ partition, value: `m${partition}-${i}` });
    }
    await produce(kafka, topic, messages);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({
        groupId: group,
        topic,
        partitions: [
          { partition: 0, offset: '100' },
          { partition: 1, offset: '20' },
        ],
      });
    } finally {
      await admin.disconnect();
    }
  });

  test('--json: per-partition lag from the brokers', async () => {
    const { code, stdout, stderr } = await lagCli(['--group', group, '--topic', topic, '--json']);
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    assert.equal(out['groupId'], group);
    assert.equal(out['members'], 0);
    assert.equal(out['totalLag'], 60);
    assert.deepEqual(out['partitions'], [
      { topic, partition: 0, logStart: 0, logEnd: 100, committed: 100, lag: 0 },
      { topic, partition: 1, logStart: 0, logEnd: 50, committed: 20, lag: 30 },
      { topic, partition: 2, logStart: 0, logEnd: 30, committed: null, lag: 30 },
    ]);
  });

  test('a group that starts at the latest offset has no lag where it never committed', async () => {
    const { code, stdout, stderr } = await lagCli(['--group', group, '--topic', topic, '--json'], {
      KAFKA_FROM_BEGINNING: 'false',
    });
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as { totalLag: number; partitions: { lag: number }[] };
    assert.deepEqual(
      out.partitions.map((p) => p.lag),
      [0, 30, 0],
    );
    assert.equal(out.totalLag, 30);
  });

  test('the table: one aligned line per partition and the total', async () => {
    // The group and topics from the environment, as an operator would run it.
    const { code, stdout, stderr } = await lagCli([], {
      KAFKA_GROUP_ID: group,
      KAFKA_TOPICS: topic,
    });
    assert.equal(code, 0, stderr);
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0]!, new RegExp(`^group ${group}: \\w+, 0 member\\(s\\)$`));
    const cells = lines.slice(1).map((l) => l.trim().split(/\s+/));
    assert.deepEqual(cells, [
      ['TOPIC', 'PARTITION', 'COMMITTED', 'LOG-END', 'LAG'],
      [topic, '0', '100', '100', '0'],
      [topic, '1', '20', '50', '30'],
      [topic, '2', '-', '30', '30'],
      ['TOTAL', '60'],
    ]);
    const header = lines[1]!;
    assert.equal(header.indexOf('LAG') + 3, lines[2]!.length, 'numbers right-aligned under LAG');
  });

  test('an unknown topic is an error at once, exit code 1', async () => {
    const missing = uniqueName('missing');
    const started = Date.now();
    const { code, stderr } = await lagCli(['--group', group, '--topic', missing]);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`hanzo-ingest: Kafka topics missing: ${missing}`));
    // A failure bound for a retry loop, not a speed target: room for a node process starting
    // on a busy machine.
    const tookMs = Date.now() - started;
    assert.ok(tookMs < 45_000, `no long retry loop (${tookMs} ms)`);
  });
});
