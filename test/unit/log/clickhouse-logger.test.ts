import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { clickHouseLoggerClass } from '../../../src/log/clickhouse-logger.ts';

test('the ClickHouse client logs JSON lines through pino, with its module and arguments', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const LoggerClass = clickHouseLoggerClass(pino({ level: 'trace' }, sink));
  const logger = new LoggerClass();
  logger.warn({ module: 'HTTP Adapter', message: 'socket hang up', args: { attempt: 2 } });
  logger.error({ module: 'Connection', message: 'request failed', err: new Error('ECONNRESET') });
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(parsed.length, 2);
  assert.deepEqual(
    parsed.map((p) => [p['level'], p['component'], p['module'], p['msg']]),
    [
      [40, 'clickhouse-client', 'HTTP Adapter', 'socket hang up'],
      [50, 'clickhouse-client', 'Connection', 'request failed'],
    ],
  );
  assert.equal(parsed[0]?.['attempt'], 2);
  assert.equal((parsed[1]?.['err'] as { message?: string }).message, 'ECONNRESET');
});
