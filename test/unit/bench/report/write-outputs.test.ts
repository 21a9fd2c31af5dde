import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../../src/config/load-config.ts';
import { parseBenchOptions } from '../../../../test/bench/bench-options.ts';
import {
  benchSettings,
  describeSettings,
  writeMarkdownReport,
} from '../../../../test/bench/report/write-outputs.ts';
import {
  loadSavedReport,
  variantsFromLabels,
} from '../../../../test/bench/report/publish-report.ts';

describe('bench outputs', () => {
  test('the settings line names batch limits, compression and overrides', () => {
    const options = parseBenchOptions(['--quick', '--worker-env', 'BATCH_MAX_ROWS=20000'], {});
    const config = loadConfig({
      env: {
        KAFKA_BROKERS: 'h:1',
        BATCH_MAX_ROWS: '20000',
        BATCH_MAX_BYTES: String(32 * 1024 * 1024),
        CLICKHOUSE_REQUEST_COMPRESSION: 'true',
      },
    });
    const line = describeSettings(benchSettings(options, config));
    assert.match(line, /^100,000 events, 6 partitions, 2 repetitions/);
    assert.match(line, /batches of ≤ 20,000 rows \/ 32 MiB \/ 5000 ms/);
    assert.match(line, /request compression on \(gzip\)/);
    assert.match(line, /worker settings BATCH_MAX_ROWS=20000$/);
    const defaults = loadConfig({ env: { KAFKA_BROKERS: 'h:1' } });
    assert.match(describeSettings(benchSettings(options, defaults)), /request compression off;/);
  });

  test('Markdown goes between the markers, formatted; the rest of the file is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-md-'));
    try {
      const file = join(dir, 'B.md');
      writeFileSync(file, '# Title\n\nkept\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\n');
      await writeMarkdownReport(file, '| a | bb |\n| --- | --- |\n| ccc | d |');
      assert.equal(
        readFileSync(file, 'utf8'),
        '# Title\n\nkept\n\n<!-- bench:begin -->\n\n| a   | bb  |\n| --- | --- |\n| ccc | d   |\n\n<!-- bench:end -->\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('saved reports', () => {
  test('variants come back from the result labels of reports saved without them', () => {
    assert.deepEqual(variantsFromLabels(['w1_off', 'w1_on', 'w2_on', 'w1', 'other']), [
      { label: 'w1_off', workers: 1, enrichment: 'off' },
      { label: 'w1_on', workers: 1, enrichment: 'on' },
      { label: 'w2_on', workers: 2, enrichment: 'on' },
      { label: 'w1', workers: 1, enrichment: 'as configured' },
    ]);
  });

  test('a file that is not a bench report is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-json-'));
    try {
      writeFileSync(join(dir, 'x.json'), '{"results": {}}');
      assert.throws(() => loadSavedReport(join(dir, 'x.json')), /not a bench report/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
