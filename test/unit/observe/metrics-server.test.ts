import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Counter, Registry } from 'prom-client';
import type { Verdict } from '../../../src/observe/health-checks.ts';
import { MetricsServer } from '../../../src/observe/metrics-server.ts';

describe('metrics server', () => {
  const registry = new Registry();
  registry.setDefaultLabels({ group: 'g' });
  const counter = new Counter({
    name: 'hanzo_ingest_test_total',
    help: 'test',
    registers: [registry],
  });
  let ready: Verdict = { status: 'ok', checks: { kafka: { ok: true, detail: 'fine' } } };
  const server = new MetricsServer({
    port: 0,
    host: '127.0.0.1',
    registry,
    health: () => ({ status: 'ok', checks: { eventLoop: { ok: true, detail: 'responsive' } } }),
    readiness: () => ready,
  });
  let base = '';
  before(async () => {
    base = `http://127.0.0.1:${await server.listen()}`;
  });
  after(() => server.close());

  test('/metrics: the registry in the Prometheus text format', async () => {
    counter.inc(3);
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(await response.text(), /^hanzo_ingest_test_total\{group="g"\} 3$/m);
  });

  test('/healthz and /readyz: JSON verdicts, 503 when unavailable', async () => {
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as Verdict).status, 'ok');
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    ready = {
      status: 'unavailable',
      checks: { clickhouse: { ok: false, detail: 'ECONNREFUSED' } },
    };
    const unready = await fetch(`${base}/readyz`);
    assert.equal(unready.status, 503);
    assert.equal(unready.headers.get('content-type'), 'application/json');
    assert.deepEqual(await unready.json(), ready);
  });

  test('anything else: 404, and only GET/HEAD', async () => {
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
    const head = await fetch(`${base}/readyz`, { method: 'HEAD' });
    assert.equal(head.status, 503);
  });
});
