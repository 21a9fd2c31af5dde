import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CLI_ENTRY, NODE_FLAGS } from '../../demo/worker-env.ts';
import { createTopics, testKafka } from '../../support/kafka.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const run = promisify(execFile);
const secret = (what: string): string => `${what}-${randomBytes(9).toString('hex')}`;

function assertNoSecrets(text: string, secrets: readonly string[], where: string): void {
  for (const s of secrets)
    assert.ok(!text.includes(s), `${where} shows a secret (${s.split('-')[0]})`);
}

describe('secrets stay out of logs and check-config output', () => {
  test('check-config masks the ClickHouse password (variable, file, URL) and the SASL password', async () => {
    const chPassword = secret('ch');
    const filePassword = secret('chfile');
    const urlPassword = secret('url');
    const saslPassword = secret('sasl');
    const passwordFile = join(process.env['HANZO_TEST_DIR'] ?? '/tmp', `${uniqueName('pw')}.txt`);
    writeFileSync(passwordFile, `${filePassword}\n`);
    const env = {
      PATH: process.env['PATH'] ?? '',
      KAFKA_BROKERS: testStack().brokers.join(','),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'alice',
      KAFKA_SASL_PASSWORD: saslPassword,
      KAFKA_SSL: 'true',
    };
    const check = async (extra: Record<string, string>): Promise<string> => {
      const { stdout, stderr } = await run(
        process.execPath,
        [...NODE_FLAGS, CLI_ENTRY, 'check-config'],
        {
          env: { ...env, ...extra },
          timeout: 60_000,
        },
      );
      assertNoSecrets(
        stdout + stderr,
        [chPassword, filePassword, urlPassword, saslPassword],
        'check-config',
      );
      return stdout;
    };

    const printed = JSON.parse(
      await check({
        CLICKHOUSE_PASSWORD: chPassword,
        CLICKHOUSE_URL: `https://bob:${urlPassword}@clickhouse.example:8443`,
      }),
    ) as { clickhouse: { password: string; url: string }; kafka: { sasl: Record<string, string> } };
    assert.equal(printed.clickhouse.password, '********');
    assert.match(printed.clickhouse.url, /^https:\/\/bob:\*+@clickhouse\.example:8443/);
    assert.deepEqual(printed.kafka.sasl, {
      mechanism: 'scram-sha-512',
      username: 'alice',
      password: '********',
    });
    const fromFile = JSON.parse(await check({ CLICKHOUSE_PASSWORD_FILE: passwordFile })) as {
      clickhouse: { password: string };
    };
    assert.equal(fromFile.clickhouse.password, '********');
  });

  test('a worker whose ClickHouse password is refused logs the failure, never the password', async () => {
    const chPassword = secret('ch');
    const topic = uniqueName('secrets');
    await createTopics(testKafka(), [
      { topic, partitions: 1 },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    const worker = startWorkerProcess(`secrets-ch-${topic}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      CLICKHOUSE_PASSWORD: chPassword,
      LOG_LEVEL: 'trace',
    });
    assert.notEqual(await worker.exited, 0, 'a refused password stops start-up');
    const log = worker.log();
    assert.match(log, /"msg":"configuration"/, 'the configuration is logged (masked)');
    assert.match(log, /Authentication failed/, 'the refusal is reported');
    assertNoSecrets(log, [chPassword], 'the worker log');
  });

  test('a worker whose SASL handshake fails logs the failure, never the password', async () => {
    const saslPassword = secret('sasl');
    const topic = uniqueName('secrets');
    const worker = startWorkerProcess(`secrets-sasl-${topic}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      // The test broker has no SASL listener: the handshake is refused.
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'alice',
      KAFKA_SASL_PASSWORD: saslPassword,
      LOG_LEVEL: 'trace',
    });
    assert.notEqual(await worker.exited, 0);
    const log = worker.log();
    assert.match(log, /"msg":"configuration"/);
    assert.match(log, /SASL/);
    assert.match(log, /"username":"alice"/, 'the configuration line carries the SASL section');
    assertNoSecrets(log, [saslPassword], 'the worker log');
  });
});
