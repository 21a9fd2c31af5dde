/**
 * The pending range travels as the committed offset's metadata: before inserting
 * [first, last] the worker commits offset `first` with metadata naming the range. Whoever
 * owns the partition next (this worker after a crash, or another after a rebalance)
 * reads it back and re-forms exactly that range, so the retried insert carries the same
 * deduplication token.
 */
const PREFIX = 'hanzo-ingest/v1 pending=';

export interface PendingRange {
  readonly first: bigint;
  readonly last: bigint;
}

export function encodePendingRange(range: PendingRange): string {
  return `${PREFIX}${range.first}-${range.last}`;
}

/** The pending range recorded at `committedOffset`, or undefined if none applies. */
export function decodePendingRange(
  metadata: string | null | undefined,
  committedOffset: bigint,
): PendingRange | undefined {
  if (metadata === null || metadata === undefined || !metadata.startsWith(PREFIX)) return undefined;
  const match = /^(\d+)-(\d+)$/.exec(metadata.slice(PREFIX.length));
  if (match === null) return undefined;
  const first = BigInt(match[1] ?? '');
  const last = BigInt(match[2] ?? '');
  // Only meaningful while the committed offset still sits at the start of the range
  // (the range may begin after it when Kafka left a gap of unreadable offsets).
  if (first < committedOffset || last < first) return undefined;
  return { first, last };
}
