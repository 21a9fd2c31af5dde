import type { MetricSpec } from './metric-spec.ts';

/** The process: readiness, its memory limit, and who it is. */
export const PROCESS_METRICS = {
  ready: {
    name: 'hanzo_ingest_ready',
    kind: 'gauge',
    help: '1 when /readyz reports ready, else 0',
    labels: [],
  },
  memoryLimit: {
    name: 'hanzo_ingest_memory_limit_bytes',
    kind: 'gauge',
    help: 'Memory the process may use: the cgroup limit, else the machine total',
    labels: [],
  },
  workerInfo: {
    name: 'hanzo_ingest_worker_info',
    kind: 'gauge',
    help: 'Always 1; labels identify the worker and its version',
    labels: ['worker_id', 'version'],
  },
} as const satisfies Record<string, MetricSpec>;
