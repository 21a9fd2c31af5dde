import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { calcPrice } from '@pydantic/genai-prices';
import { loadConfig } from '../../../../src/config/load-config.ts';
import { createDecoder } from '../../../../src/decode/create-decoder.ts';
import {
  BenchEventGenerator,
  MIX,
  type BenchEvent,
} from '../../../../test/bench/corpus/bench-events.ts';
import { PRICED_MODELS, UNPRICED_MODEL } from '../../../../test/bench/corpus/llm-models.ts';
import { decodeRow } from '../../../fixtures/decode/decode-row.ts';

const endMs = Date.UTC(2026, 10, 21, 12);
const sample = (n: number, seed = 8): BenchEvent[] => {
  const g = new BenchEventGenerator({ seed, endMs });
  return Array.from({ length: n }, () => g.next());
};

describe('benchmark corpus', () => {
  test('deterministic for a seed and end time, uuids included; another seed differs', () => {
    assert.deepEqual(sample(200), sample(200));
    assert.notDeepEqual(sample(50, 9), sample(50, 8));
    const uuids = sample(20_000).map((e) => e.uuid);
    assert.equal(new Set(uuids).size, uuids.length);
    for (const u of uuids.slice(0, 100))
      assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('the mix, sizes and cardinalities of real traffic', () => {
    const events = sample(50_000);
    const share = (p: (e: BenchEvent) => boolean): number =>
      events.filter(p).length / events.length;
    assert.ok(Math.abs(share((e) => e.event === '$pageview') - MIX.pageview) < 0.02);
    assert.ok(Math.abs(share((e) => e.event === '$llm_request') - MIX.llm) < 0.02);
    const size = events.reduce((s, e) => s + JSON.stringify(e).length, 0) / events.length;
    assert.ok(size > 700 && size < 1500, `average event ${size} bytes`);
    const ips = events.map((e) => String(e.properties['$ip']));
    const uas = events.map((e) => String(e.properties['$user_agent']));
    const distinct = (xs: string[]): number => new Set(xs).size / xs.length;
    assert.ok(distinct(ips) > 0.05 && distinct(ips) < 0.4, `distinct IP share ${distinct(ips)}`);
    assert.ok(distinct(uas) > 0.01 && distinct(uas) < 0.1, `distinct UA share ${distinct(uas)}`);
    assert.ok(
      Math.abs(share((e) => String(e.properties['$ip']).includes(':')) - MIX.ipv6Home) < 0.05,
    );
    assert.ok(
      events.every(
        (e) => Date.parse(e.timestamp) <= endMs && Date.parse(e.timestamp) > endMs - 3_600_001,
      ),
    );
  });

  test('LLM events name models the bundled price list knows, except the self-hosted one', () => {
    for (const m of PRICED_MODELS) {
      const price = calcPrice({ input_tokens: 1000, output_tokens: 100 }, m.model, {
        providerId: m.provider,
      });
      assert.ok(price !== null && price.total_price > 0, `${m.provider}/${m.model} is priced`);
    }
    assert.equal(
      calcPrice({ input_tokens: 1 }, UNPRICED_MODEL.model, { providerId: UNPRICED_MODEL.provider }),
      null,
    );
    const llm = sample(5_000).filter((e) => e.event === '$llm_request');
    assert.ok(
      llm.every(
        (e) => (e.tokens_prompt ?? 0) > 0 && e.model !== undefined && e.provider !== undefined,
      ),
    );
    assert.ok(new Set(llm.map((e) => e.model)).size >= 10);
  });

  test('every event decodes into a row with the worker decoder; the timestamp can be the produce time', () => {
    const { decoder } = createDecoder(loadConfig({ env: { KAFKA_BROKERS: 'h:1' } }).decode);
    const g = new BenchEventGenerator({ seed: 3, endMs: Date.now() });
    for (let i = 0; i < 2_000; i++) {
      const event = g.next(i === 0 ? 1_700_000_000_123 : undefined);
      const outcome = decodeRow(
        decoder,
        {
          topic: 't',
          partition: 0,
          offset: String(i),
          timestampMs: Date.now(),
          value: Buffer.from(JSON.stringify(event)),
        },
        { nowMs: Date.now(), ingestedAt: '2026-01-01 00:00:00.000' },
      );
      assert.ok(outcome.ok, `event ${i}: ${outcome.ok ? '' : outcome.deadLetter.message}`);
      if (i === 0) assert.equal(outcome.value.timestamp, '2023-11-14 22:13:20.123');
    }
  });
});
