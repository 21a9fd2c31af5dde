import { getHeapStatistics } from 'node:v8';
import { ConfigError } from '../errors.ts';

const MiB = 1024 * 1024;

/**
 * The batches a worker holds (INGEST_MAX_BUFFERED_BYTES) keep their rows and messages as
 * bytes outside the V8 heap (batch/row-lines.ts), but their bookkeeping and held dead letters
 * live in it, next to the garbage of decoding. A heap cap below twice the budget could end in
 * an out-of-memory crash the first time ClickHouse slows down: refuse to start instead.
 */
export function assertBudgetFitsHeap(
  maxBufferedBytes: number,
  heapLimitBytes: number = getHeapStatistics().heap_size_limit,
): void {
  if (maxBufferedBytes * 2 <= heapLimitBytes) return;
  const mib = (bytes: number): string => `${Math.round(bytes / MiB)} MiB`;
  throw new ConfigError([
    `INGEST_MAX_BUFFERED_BYTES: ${mib(maxBufferedBytes)} needs a V8 heap of at least ${mib(2 * maxBufferedBytes)}, ` +
      `but this process may only grow its heap to ${mib(heapLimitBytes)} ` +
      '(node --max-old-space-size): lower the budget or raise the heap cap',
  ]);
}
