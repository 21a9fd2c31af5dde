import { setting } from './setting.ts';
import { positiveInt } from './value-types.ts';

/** Health endpoints and broker-side lag (the metrics port itself is `metricsPort`). */
export const OBSERVE_SETTINGS = {
  /** Also the interval of the worker's Kafka check. */
  lagRefreshMs: setting({
    env: 'INGEST_LAG_REFRESH_MS',
    type: positiveInt,
    default: 10_000,
    doc: 'How often the group\u2019s lag is read from the brokers',
  }),
  /** The same probe reads the part counts for the alerts. */
  clickhouseProbeMs: setting({
    env: 'INGEST_CLICKHOUSE_PROBE_MS',
    type: positiveInt,
    default: 5_000,
    doc: 'How often /readyz probes ClickHouse',
  }),
  readyProgressMs: setting({
    env: 'INGEST_READY_PROGRESS_MS',
    type: positiveInt,
    default: 60_000,
    doc: '/readyz fails when the consume loop is silent this long',
  }),
};
