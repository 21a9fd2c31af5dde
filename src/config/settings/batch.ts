import { setting } from './setting.ts';
import { positiveInt } from './value-types.ts';

/** When a partition's batch is flushed to ClickHouse. */
export const BATCH_SETTINGS = {
  maxRows: setting({
    env: 'BATCH_MAX_ROWS',
    type: positiveInt.max(1_000_000),
    default: 50_000,
    doc: 'Rows per insert (HIP-47: 10,000–100,000)',
  }),
  maxBytes: setting({
    env: 'BATCH_MAX_BYTES',
    type: positiveInt,
    default: 16 * 1024 * 1024,
    doc: 'Bytes per insert',
  }),
  maxAgeMs: setting({
    env: 'BATCH_MAX_AGE_MS',
    type: positiveInt,
    default: 5_000,
    doc: 'Flush a partition\u2019s batch at the latest after this long (each partition at 80\u2013100 % of it, so they do not flush in lockstep)',
  }),
};
