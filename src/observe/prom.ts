import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { GROUP_LABEL, type MetricSpec } from './metric-names.ts';

/**
 * One registry per worker process (never prom-client's global one), labelled with the
 * consumer group, with the standard process and Node.js collectors.
 */
export function createMetricsRegistry(groupId: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ [GROUP_LABEL]: groupId });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function counterOf(registry: Registry, spec: MetricSpec): Counter {
  return new Counter({
    name: spec.name,
    help: spec.help,
    labelNames: [...spec.labels],
    registers: [registry],
  });
}

export function histogramOf(registry: Registry, spec: MetricSpec): Histogram {
  return new Histogram({
    name: spec.name,
    help: spec.help,
    labelNames: [...spec.labels],
    registers: [registry],
    ...(spec.buckets === undefined ? {} : { buckets: [...spec.buckets] }),
  });
}

/** A gauge; with `read`, its value is taken at scrape time (nothing to update meanwhile). */
export function gaugeOf(registry: Registry, spec: MetricSpec, read?: () => number): Gauge {
  return new Gauge({
    name: spec.name,
    help: spec.help,
    labelNames: [...spec.labels],
    registers: [registry],
    ...(read === undefined
      ? {}
      : {
          collect(this: Gauge) {
            this.set(read());
          },
        }),
  });
}

/** A gauge whose label sets are written at scrape time by `collect`. */
export function collectedGaugeOf(
  registry: Registry,
  spec: MetricSpec,
  collect: (gauge: Gauge) => void,
): Gauge {
  return new Gauge({
    name: spec.name,
    help: spec.help,
    labelNames: [...spec.labels],
    registers: [registry],
    collect(this: Gauge) {
      collect(this);
    },
  });
}
