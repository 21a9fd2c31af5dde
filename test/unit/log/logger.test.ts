import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const loggerModule = join(import.meta.dirname, '../../../src/log/logger.ts');

test('log lines are JSON with the level as its label and secrets redacted', async () => {
  const script = `
    import { createLogger } from ${JSON.stringify(loggerModule)};
    const log = createLogger('info', 'w-1').child({ component: 'worker' });
    log.debug('not shown');
    log.warn({ config: { clickhouse: { password: 'hunter2' } } }, 'careful');
    log.error('broken');
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => [l['level'], l['worker'], l['component'], l['msg']]),
    [
      ['warn', 'w-1', 'worker', 'careful'],
      ['error', 'w-1', 'worker', 'broken'],
    ],
  );
  assert.ok(!stdout.includes('hunter2'));
});
