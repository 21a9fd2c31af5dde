/** The shape of one Prometheus metric, and the histogram buckets several share. */

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  readonly name: string;
  readonly kind: MetricKind;
  readonly help: string;
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
}

/** The registry's default label: the consumer group of this worker. */
export const GROUP_LABEL = 'group';

/** Seconds buckets for fast steps (an offset commit). */
export const SECONDS_FAST = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Seconds buckets for ClickHouse inserts (up to the insert timeout's range). */
export const SECONDS_INSERT = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
