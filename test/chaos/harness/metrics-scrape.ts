import { METRICS } from '../../../src/observe/metric-names.ts';

/** The value of an unlabelled gauge in Prometheus text, or undefined when absent. */
export function gaugeValue(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Polls workers' /metrics and keeps the highest value seen of what each holds by its own
 * account: bytes buffered (open, waiting and in-flight batches) and partitions paused.
 */
export class WorkerGaugeWatch {
  maxBufferedBytes = 0;
  maxPausedPartitions = 0;
  /** Where a worker's memory is (prom-client process metrics): V8 heap and Buffers. */
  maxHeapTotalBytes = 0;
  maxExternalBytes = 0;
  readonly #ports: readonly number[];
  readonly #timer: NodeJS.Timeout;

  constructor(ports: readonly number[], everyMs = 250) {
    this.#ports = ports;
    this.#timer = setInterval(() => void this.#scrape(), everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #scrape(): Promise<void> {
    for (const port of this.#ports) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
          signal: AbortSignal.timeout(2_000),
        });
        const text = await response.text();
        const buffered = gaugeValue(text, METRICS.bufferedBytes.name) ?? 0;
        const paused = gaugeValue(text, METRICS.pausedPartitions.name) ?? 0;
        this.maxBufferedBytes = Math.max(this.maxBufferedBytes, buffered);
        this.maxPausedPartitions = Math.max(this.maxPausedPartitions, paused);
        const heap = gaugeValue(text, 'nodejs_heap_size_total_bytes') ?? 0;
        const external = gaugeValue(text, 'nodejs_external_memory_bytes') ?? 0;
        this.maxHeapTotalBytes = Math.max(this.maxHeapTotalBytes, heap);
        this.maxExternalBytes = Math.max(this.maxExternalBytes, external);
      } catch {
        // not up yet, or gone: the next scrape tells
      }
    }
  }
}
