import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isDeepStrictEqual, promisify } from 'node:util';
import kafkajs, { type Admin } from 'kafkajs';
import { CLI_ENTRY, NODE_FLAGS } from '../../demo/worker-env.ts';
import { testKafka } from '../../support/kafka.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';

const { ConfigResourceTypes, ConfigSource } = kafkajs;
const run = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `hanzo-ingest topics apply …` as a real process against the test stack. */
async function topicsApply(dir: string, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [...NODE_FLAGS, CLI_ENTRY, 'topics', 'apply', '--dir', dir, ...args],
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          KAFKA_BROKERS: testStack().brokers.join(','),
          LOG_LEVEL: 'warn',
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function writeTopics(
  dir: string,
  events: Record<string, unknown>,
  dlq: Record<string, unknown>,
): void {
  for (const t of [events, dlq])
    writeFileSync(join(dir, `${String(t['name'])}.json`), JSON.stringify(t));
}

async function overridesOf(admin: Admin, topic: string): Promise<Record<string, string>> {
  const described = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    includeSynonyms: false,
  });
  const out: Record<string, string> = {};
  for (const e of described.resources[0]?.configEntries ?? []) {
    if (e.configSource === ConfigSource.TOPIC_CONFIG) out[e.configName] = e.configValue;
  }
  return out;
}

/**
 * The brokers apply a change from the controller's metadata log asynchronously, so a read
 * right after `topics apply` returned may see the old value: read until it shows `expected`
 * (bounded), then return what was read last for the assertion.
 */
async function settled<T>(read: () => Promise<T>, expected: T): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (isDeepStrictEqual(value, expected) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function partitionsOf(admin: Admin, topic: string): Promise<number> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return topics[0]?.partitions.length ?? 0;
}

describe('topics apply against the local Kafka', () => {
  const admin = testKafka().admin();
  before(() => admin.connect());
  after(() => admin.disconnect());

  test('creates, is idempotent, raises partitions, changes configs, refuses to lower, dry-runs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'topics-it-'));
    const dir = join(root, 'topics');
    mkdirSync(dir);
    const name = uniqueName('tp');
    const events = {
      name,
      description: 'events under test',
      partitions: 2,
      replicationFactor: 1,
      config: {
        'retention.ms': '3600000',
        'max.message.bytes': '1048576',
        'cleanup.policy': 'delete',
      },
      message: { formats: ['json'], schema: null, key: 'distinct_id' },
      table: 'events',
      deadLetterTopic: `${name}_dlq`,
    };
    const dlq = {
      name: `${name}_dlq`,
      description: 'dead letters under test',
      partitions: 1,
      replicationFactor: 1,
      config: { 'retention.ms': '7200000', 'max.message.bytes': '2097152' },
      message: { formats: ['dead-letter'], schema: null, key: 'original key' },
      table: null,
      deadLetterTopic: null,
    };
    writeTopics(dir, events, dlq);

    // 1. Create.
    const first = await topicsApply(dir);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`\\+ ${name}: create with 2 partitions`));
    assert.equal(await settled(() => partitionsOf(admin, name), 2), 2);
    assert.equal(await settled(() => partitionsOf(admin, dlq.name), 1), 1);
    assert.deepEqual(await settled(() => overridesOf(admin, name), events.config), events.config);
    assert.deepEqual(await settled(() => overridesOf(admin, dlq.name), dlq.config), dlq.config);

    // 2. Second apply: nothing to do, nothing changed.
    const second = await topicsApply(dir, '--json');
    assert.equal(second.code, 0, second.stderr);
    const secondResult = JSON.parse(second.stdout) as {
      plan: { changes: unknown[]; inSync: string[] };
      applied: unknown[];
    };
    assert.deepEqual(secondResult.plan.changes, []);
    assert.deepEqual(secondResult.applied, []);
    assert.deepEqual(secondResult.plan.inSync.sort(), [name, dlq.name].sort());
    assert.deepEqual(await settled(() => overridesOf(admin, name), events.config), events.config);

    // 3. An operator pins an override the files do not manage; the files raise partitions
    //    and change a config. The unmanaged override must survive (AlterConfigs replaces all).
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name,
          configEntries: [
            ...Object.entries(events.config).map(([k, v]) => ({ name: k, value: v })),
            { name: 'segment.bytes', value: '10485760' },
          ],
        },
      ],
    });
    writeTopics(
      dir,
      { ...events, partitions: 4, config: { ...events.config, 'retention.ms': '86400000' } },
      dlq,
    );
    const third = await topicsApply(dir);
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stdout, new RegExp(`~ ${name}: raise partitions 2 → 4`));
    assert.match(third.stdout, new RegExp(`~ ${name}: set retention.ms 3600000 → 86400000`));
    assert.match(third.stdout, /segment\.bytes=10485760/);
    assert.equal(await settled(() => partitionsOf(admin, name), 4), 4);
    const raised = { ...events.config, 'retention.ms': '86400000', 'segment.bytes': '10485760' };
    assert.deepEqual(await settled(() => overridesOf(admin, name), raised), raised);
    assert.deepEqual(
      await settled(() => overridesOf(admin, dlq.name), dlq.config),
      dlq.config,
      'the other topic untouched',
    );

    // 4. Fewer partitions in the file: explained, exit 3, the cluster keeps its 4.
    writeTopics(
      dir,
      { ...events, partitions: 3, config: { ...events.config, 'retention.ms': '86400000' } },
      dlq,
    );
    const lowered = await topicsApply(dir);
    assert.equal(lowered.code, 3, lowered.stdout + lowered.stderr);
    assert.match(lowered.stdout, /partitions not lowered: the cluster has 4, the file says 3/);
    assert.equal(await settled(() => partitionsOf(admin, name), 4), 4);

    // 5. Dry run of a real change: the brokers validate, nothing changes.
    writeTopics(
      dir,
      { ...events, partitions: 8, config: { ...events.config, 'retention.ms': '60000' } },
      dlq,
    );
    const dry = await topicsApply(dir, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`~ ${name}: would raise partitions 4 → 8`));
    assert.match(dry.stdout, /2 change\(s\) validated/);
    assert.equal(await settled(() => partitionsOf(admin, name), 4), 4);
    assert.equal((await overridesOf(admin, name))['retention.ms'], '86400000');

    // 6. A config value the broker rejects fails the run with Kafka's reason (dry run too).
    writeTopics(
      dir,
      { ...events, partitions: 4, config: { ...events.config, 'cleanup.policy': 'shred' } },
      dlq,
    );
    const invalid = await topicsApply(dir, '--dry-run');
    assert.equal(invalid.code, 1, invalid.stdout);
    assert.match(
      invalid.stderr,
      new RegExp(`${name}: alterConfigs failed: .*INVALID_CONFIG|Invalid value shred`),
    );

    await admin.deleteTopics({ topics: [name, dlq.name] });
  });
});
