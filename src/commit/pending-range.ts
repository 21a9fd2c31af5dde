/**
 * What travels as the committed offset's metadata. Before inserting [first, last] the worker
 * commits offset `first` with metadata naming the range; whoever owns the partition next (this
 * worker after a crash, or another after a rebalance) reads it back and re-forms that range,
 * so the retried insert carries the same deduplication token.
 *
 * v2 (this version) also carries the token namespace (token-namespace.ts) on every commit,
 * pending or final, so the partition keeps its namespace across owners:
 *   `hanzo-ingest/v2 ns=<namespace>[ pending=<first>-<last>[ dlq=due|done]]`
 * `dlq` tells the next owner about the range's dead letters: `due` — some are to be written
 * in a DLQ transaction that may still be open (fence it before reading on); `done` — they
 * were written, in the transaction that committed this very metadata (never write them
 * again). Versions that do not know `dlq` ignore it (unknown fields are skipped).
 * v1 (earlier versions) only ever carried a pending range, whose token had no namespace:
 *   `hanzo-ingest/v1 pending=<first>-<last>`
 * A v1 range is re-formed under its v1 token, so a rolling upgrade deduplicates too.
 */
const V1_PREFIX = 'hanzo-ingest/v1 pending=';
const V2_PREFIX = 'hanzo-ingest/v2 ';

/** What the record says of the range's dead letters (absent: none announced). */
export type DeadLetterMark = 'due' | 'done';

export interface PendingRange {
  readonly first: bigint;
  readonly last: bigint;
  /** The namespace its token was made with; undefined: a v1 range (token without one). */
  readonly namespace?: string;
  /** v2 only: the range's dead letters are `due` (a transaction may be open) or `done`. */
  readonly deadLetters?: DeadLetterMark;
}

/** A committed position's metadata, read back. */
export interface CommitMark {
  /** The partition's token namespace (v2 only). */
  readonly namespace: string | undefined;
  readonly pending: PendingRange | undefined;
}

/** Metadata for a commit: the namespace always, the range while its insert is pending. */
export function encodeCommitMark(
  namespace: string,
  pending?: {
    readonly first: bigint;
    readonly last: bigint;
    readonly deadLetters?: DeadLetterMark | undefined;
  },
): string {
  const range = pending === undefined ? '' : ` pending=${pending.first}-${pending.last}`;
  const dlq = pending?.deadLetters === undefined ? '' : ` dlq=${pending.deadLetters}`;
  return `${V2_PREFIX}ns=${encodeURIComponent(namespace)}${range}${dlq}`;
}

/** The v1 format, as versions before the token namespace wrote it (tests of the upgrade). */
export function encodePendingRangeV1(range: PendingRange): string {
  return `${V1_PREFIX}${range.first}-${range.last}`;
}

/** The namespace and pending range recorded at `committedOffset` (either version). */
export function decodeCommitMark(
  metadata: string | null | undefined,
  committedOffset: bigint,
): CommitMark {
  if (metadata === null || metadata === undefined) return NONE;
  if (metadata.startsWith(V1_PREFIX)) {
    const range = parseRange(metadata.slice(V1_PREFIX.length), committedOffset);
    return { namespace: undefined, pending: range };
  }
  if (!metadata.startsWith(V2_PREFIX)) return NONE;
  const fields = new Map<string, string>();
  for (const part of metadata.slice(V2_PREFIX.length).split(' ')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const encoded = fields.get('ns');
  let namespace: string | undefined;
  try {
    namespace = encoded === undefined || encoded === '' ? undefined : decodeURIComponent(encoded);
  } catch {
    return NONE;
  }
  // A v2 range without its namespace could not be re-formed under its own token: ignore it.
  if (namespace === undefined) return NONE;
  const text = fields.get('pending');
  const range = text === undefined ? undefined : parseRange(text, committedOffset);
  if (range === undefined) return { namespace, pending: undefined };
  const dlq = fields.get('dlq');
  const deadLetters = dlq === 'due' || dlq === 'done' ? dlq : undefined;
  return {
    namespace,
    pending: { ...range, namespace, ...(deadLetters === undefined ? {} : { deadLetters }) },
  };
}

/** The pending range recorded at `committedOffset`, or undefined if none applies. */
export function decodePendingRange(
  metadata: string | null | undefined,
  committedOffset: bigint,
): PendingRange | undefined {
  return decodeCommitMark(metadata, committedOffset).pending;
}

const NONE: CommitMark = { namespace: undefined, pending: undefined };

function parseRange(text: string, committedOffset: bigint): PendingRange | undefined {
  const match = /^(\d+)-(\d+)$/.exec(text);
  if (match === null) return undefined;
  const first = BigInt(match[1] ?? '');
  const last = BigInt(match[2] ?? '');
  // Only meaningful while the committed offset still sits at the start of the range
  // (the range may begin after it when Kafka left a gap of unreadable offsets).
  if (first < committedOffset || last < first) return undefined;
  return { first, last };
}
