import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IHeaders } from 'kafkajs';
import { detachedHeaders, headerBytes } from '../../../src/batch/source-message.ts';
import { recordHeaders, type RecordHeaders } from '../../../src/consume/record-decoder.ts';
import { headerText } from '../../../src/dlq/dead-letter-headers.ts';

const b = (text: string): Buffer => Buffer.from(text);
/** What kafkajs hands the worker: its IHeaders type leaves out the null values Kafka allows. */
const received = (headers: RecordHeaders): IHeaders => headers as unknown as IHeaders;

test('headers named like Object.prototype members are headers like any other', () => {
  const headers = recordHeaders([
    { key: '__proto__', value: b('p') },
    { key: 'constructor', value: b('c') },
    { key: 'toString', value: b('t') },
    { key: 'x', value: b('1') },
    { key: 'x', value: b('2') },
  ]);
  assert.deepEqual(Object.keys(headers), ['__proto__', 'constructor', 'toString', 'x']);
  assert.deepEqual(headers['__proto__'], b('p'));
  assert.deepEqual(headers['constructor'], b('c'));
  assert.deepEqual(headers['x'], [b('1'), b('2')]);
  assert.equal(headerBytes(received(headers)), 9 + 1 + 11 + 1 + 8 + 1 + 2 * (1 + 1));
  const copy = detachedHeaders(received(headers)) ?? {};
  assert.deepEqual(Object.keys(copy), Object.keys(headers));
  assert.equal(headerText(copy, '__proto__'), 'p');
  assert.equal(headerText({}, 'constructor'), undefined);
});

test('a null header value is a header without bytes, never a crash', () => {
  const headers = recordHeaders([
    { key: 'n', value: null },
    { key: 'n', value: b('v') },
    { key: 'only-null', value: null },
  ]);
  assert.deepEqual(headers['n'], [null, b('v')]);
  assert.equal(headerBytes(received(headers)), 1 + 1 + 1 + 9);
  assert.equal(headerText(received(headers), 'only-null'), undefined);
  assert.equal(headerText(received(headers), 'n'), undefined);
  assert.deepEqual(detachedHeaders(received(headers))?.['only-null'], null);
});

test('25,000 distinct headers in linear time (kafkajs spreads one object per header)', () => {
  const list = Array.from({ length: 25_000 }, (_, i) => ({ key: `k${i}`, value: b('v') }));
  const headers = recordHeaders(list);
  assert.equal(Object.keys(headers).length, 25_000);
  assert.equal(
    headerBytes(received(headers)),
    list.reduce((n, h) => n + h.key.length + 1, 0),
  );
});
