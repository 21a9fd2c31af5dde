import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { MessageDecoder } from '../../../src/decode/decode-message.ts';
import { foldUnknownFields } from '../../../src/decode/fold-unknown-fields.ts';
import {
  COLUMN_FIELDS,
  IDENTITY_FIELDS,
  LLM_USAGE_FIELDS,
  TOP_LEVEL_FIELDS,
} from '../../../src/decode/top-level-fields.ts';
import type { FieldSql } from '../../../src/kafka-engine/sql/json-field-sql.ts';
import { problemExpression } from '../../../src/kafka-engine/sql/parse-problems-sql.ts';
import { EVENT_COLUMNS } from '../../../src/serialise/event-columns.ts';
import { decodeConfig } from '../../fixtures/decode/decode-config.ts';
import { decodeRow } from '../../fixtures/decode/decode-row.ts';

/** The order both modes check the fields in: the identity fields, then the column fields. */
const CHECKED = [...IDENTITY_FIELDS, ...COLUMN_FIELDS];

describe('the input contract’s top-level fields, declared once (top-level-fields.ts)', () => {
  test('the worker checks the fields in the declared order', () => {
    const decoder = new MessageDecoder(decodeConfig(), undefined);
    const nowMs = Date.now();
    const context = { nowMs, ingestedAt: '2026-12-04 00:00:00.000' };
    const valid = { team_id: 1, event: 'e', distinct_id: 'd', timestamp: nowMs - 1000 };
    // For each field: it and every later one of the wrong type (an array) → it is reported.
    const reported = CHECKED.map((field, i) => {
      const wrong = Object.fromEntries(CHECKED.slice(i).map((f) => [f, [1]]));
      const outcome = decodeRow(
        decoder,
        {
          topic: 't',
          partition: 0,
          offset: String(i),
          timestampMs: nowMs,
          value: Buffer.from(JSON.stringify({ ...valid, ...wrong })),
        },
        context,
      );
      assert.ok(!outcome.ok, field);
      assert.equal(outcome.deadLetter.reason, 'wrong_type', outcome.deadLetter.message);
      return outcome.deadLetter.message.split(' ')[0];
    });
    assert.deepEqual(reported, CHECKED);
  });

  test('the Kafka-engine SQL checks the fields in the declared order', () => {
    const fields: Record<string, FieldSql> = Object.fromEntries(
      CHECKED.filter((f) => f !== 'cost_usd').map((f) => [
        f,
        { value: `v_${f}`, check: `('wrong_type', 'check of ${f}')` },
      ]),
    );
    const sql = problemExpression(fields, 'cost_is_ok', decodeConfig());
    const at = (f: string): number =>
      sql.indexOf(f === 'cost_usd' ? 'NOT cost_is_ok' : `'check of ${f}'`);
    for (const f of CHECKED) assert.ok(at(f) >= 0, `${f} is not checked`);
    assert.deepEqual(
      [...CHECKED].sort((a, b) => at(a) - at(b)),
      CHECKED,
    );
  });

  test('every named field stays top-level, any other is folded into properties', () => {
    const event = Object.fromEntries([...TOP_LEVEL_FIELDS, 'plan'].map((f) => [f, 1]));
    assert.deepEqual(foldUnknownFields(event, {}), ['plan']);
  });

  test('the column fields are events columns; the LLM usage counts are not', () => {
    const columns: readonly string[] = EVENT_COLUMNS;
    const stored = [...IDENTITY_FIELDS, 'timestamp', 'properties', ...COLUMN_FIELDS];
    assert.deepEqual(
      stored.filter((f) => !columns.includes(f)),
      [],
    );
    assert.deepEqual(
      LLM_USAGE_FIELDS.filter((f) => columns.includes(f)),
      [],
    );
  });

  test('docs/input-contract.md and the Avro schema name the same fields', () => {
    const doc = readFileSync(new URL('../../../docs/input-contract.md', import.meta.url), 'utf8');
    const table = doc.split('## Top-level fields')[1]?.split('\n## ')[0] ?? '';
    const documented = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]));
    assert.deepEqual([...documented].sort(), [...TOP_LEVEL_FIELDS].sort());

    const avsc = JSON.parse(
      readFileSync(new URL('../../../schemas/avro/event.avsc', import.meta.url), 'utf8'),
    ) as { fields: { name: string }[] };
    const named: readonly string[] = TOP_LEVEL_FIELDS;
    assert.deepEqual(
      avsc.fields.map((f) => f.name).filter((f) => !named.includes(f)),
      [],
      'an Avro field the contract does not name would be folded into properties',
    );
  });
});
