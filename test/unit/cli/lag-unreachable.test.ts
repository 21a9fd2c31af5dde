import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '../../stack/process/free-port.ts';
import { runCli } from '../../support/run-cli.ts';

test('`lag` against an unreachable broker fails fast with one line naming the brokers', async () => {
  // A port the kernel just handed out and nobody listens on: connections are refused.
  const brokers = `127.0.0.1:${await freePort()}`;
  const run = await runCli(['lag'], { KAFKA_BROKERS: brokers }, 60_000);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(
    lines[0] ?? '',
    new RegExp(
      `^hanzo-ingest: cannot reach the Kafka brokers ${brokers} \\(KAFKA_BROKERS\\): .*ECONNREFUSED`,
    ),
  );
  // A behaviour bound (kafkajs's default retries took over a minute), not a performance target:
  // generous for a node process starting on a busy machine.
  assert.ok(run.elapsedMs < 45_000, `took ${run.elapsedMs} ms`);
});
