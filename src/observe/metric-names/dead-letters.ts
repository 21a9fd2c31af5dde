import type { MetricSpec } from './metric-spec.ts';

/** Dead letters: messages refused, and whether the dead-letter topic takes them. */
export const DEAD_LETTER_METRICS = {
  deadLetters: {
    name: 'hanzo_ingest_dead_letters_total',
    kind: 'counter',
    help: 'Messages written to the dead-letter topic, by reason and stage',
    labels: ['reason', 'stage'],
  },
  dlqWriteFailures: {
    name: 'hanzo_ingest_dlq_write_failures_total',
    kind: 'counter',
    help: "Failed writes to the dead-letter topic (after the client's own retries), by the broker's error; each is retried",
    labels: ['error'],
  },
  dlqWritable: {
    name: 'hanzo_ingest_dlq_writable',
    kind: 'gauge',
    help: '1 while dead letters can be written (the last write was acknowledged), 0 while writes to the dead-letter topic fail',
    labels: [],
  },
} as const satisfies Record<string, MetricSpec>;
