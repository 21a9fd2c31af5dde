/** `hanzo-ingest enrich` as a user runs it: a real process, a file or stdin, real output. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { EventRow } from '../../../src/decode/event-row.ts';

const FIXTURE = 'test/fixtures/enrich/dry-run-events.jsonl';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(
  args: readonly string[],
  stdin?: string,
  env: Record<string, string> = {},
): Promise<Run> {
  // Only what the command needs: no stray KAFKA_/ENRICH_ settings from the caller.
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(INGEST|KAFKA|CLICKHOUSE|BATCH|INSERT|DECODE|ENRICH)_/.test(k),
    ),
  );
  const child = spawn(process.execPath, ['src/cli/main.ts', 'enrich', ...args], {
    env: { ...clean, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('hanzo-ingest enrich (dry run)', () => {
  test('a file: enriched rows on stdout, dead letters and a summary on stderr', async () => {
    const run = await runCli([FIXTURE]);
    assert.equal(run.code, 0, run.stderr);
    const rows = jsonLines(run.stdout) as unknown as EventRow[];
    assert.equal(rows.length, 3);
    const [pageview, llm, unknown] = rows as [EventRow, EventRow, EventRow];
    assert.deepEqual(
      [
        pageview.country_code,
        pageview.city,
        pageview.browser,
        pageview.os,
        pageview.device_type,
        pageview.utm_source,
      ],
      ['GB', 'London', 'Safari', 'Mac OS', 'desktop', 'hn'],
    );
    assert.ok(!pageview.properties.includes('81.2.69.160'));
    // A top-level field outside the input contract is kept, folded into properties.
    assert.equal((JSON.parse(pageview.properties) as { plan?: string }).plan, 'pro');
    // gpt-4o: 6,000 × 2.50 + 4,000 × 1.25 + 500 × 10 = 25,000 per million → $0.025
    assert.deepEqual(
      [llm.cost_usd, llm.cost_source, llm.properties],
      ['0.025', 'bundled@0.1.8', '{}'],
    );
    assert.deepEqual([unknown.cost_usd, unknown.cost_source], ['0', 'unknown']);
    assert.deepEqual(
      rows.map((r) => [r._topic, r._offset]),
      [
        ['dry-run', '1'],
        ['dry-run', '2'],
        ['dry-run', '6'],
      ],
    );

    const [missing, invalid, summary] = jsonLines(run.stderr);
    assert.deepEqual(missing, {
      type: 'dead_letter',
      line: 4,
      reason: 'missing_field',
      stage: 'decode',
      message: 'distinct_id is required',
    });
    assert.equal(invalid?.['reason'], 'invalid_json');
    assert.equal(invalid?.['line'], 5);
    assert.deepEqual(summary, {
      type: 'summary',
      rows: 3,
      deadLetters: 2,
      geoMisses: { invalid: 0, private: 0, not_found: 0 },
      userAgentsUnparsed: 0,
      unknownModels: { 'acme/acme-9': 1 },
      scrubbed: { $ai_input: 1 },
      sdkDeviceDisagreements: {},
      unknownFieldsFolded: { plan: 1 },
      geoipDisabled: 0,
    });
  });

  test('stdin gives the same rows as the file (apart from ingestion time)', async () => {
    const fromFile = await runCli([FIXTURE]);
    const fromStdin = await runCli([], readFileSync(FIXTURE, 'utf8'));
    const strip = (text: string): unknown[] =>
      jsonLines(text).map(({ _ingested_at: _ignored, ...rest }) => rest);
    assert.deepEqual(strip(fromStdin.stdout), strip(fromFile.stdout));
  });

  test('the same configuration as the worker: environment variables apply', async () => {
    const run = await runCli(['-', '--strict'], readFileSync(FIXTURE, 'utf8'), {
      ENRICH_GEO_ENABLED: 'false',
      ENRICH_KEEP_RAW_IP: 'true',
      ENRICH_DISTINCT_ID_SECRET: 'dry-run-secret-0123456789',
    });
    assert.equal(run.code, 1, '--strict: dead letters make the run fail');
    const [pageview] = jsonLines(run.stdout) as unknown as EventRow[];
    assert.equal(pageview?.country_code, '');
    assert.ok(pageview?.properties.includes('81.2.69.160'));
    assert.match(pageview?.distinct_id ?? '', /^[0-9a-f]{64}$/);
  });

  test('a configuration mistake stops it with the setting named, exit code 2', async () => {
    const run = await runCli([FIXTURE], undefined, { ENRICH_GEO_DATABASES: '/nowhere/city.mmdb' });
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /ENRICH_GEO_DATABASES \(enrich\.geo\.databases\): \/nowhere\/city\.mmdb/,
    );
    assert.equal(run.stdout, '');
  });
});
