import { createRequire } from 'node:module';

/** A record as kafkajs decodes it from a fetch (the fields read here). */
export interface FetchedRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  isControlRecord?: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
}

/** An aborted transaction the broker lists for a fetched partition. */
export interface AbortedTransaction {
  readonly producerId: string;
  readonly firstOffset: string;
}

/** A partition of a fetch response as kafkajs decodes it (the fields read and written here). */
export interface FetchedPartition {
  abortedTransactions?: AbortedTransaction[];
  readonly messages: FetchedRecord[];
}

interface FetchResponse {
  readonly responses: readonly { readonly partitions: readonly FetchedPartition[] }[];
}

/**
 * Hides the records of aborted transactions from kafkajs's consumers, as Kafka's own client
 * does (its Fetcher): the broker lists the aborted transactions overlapping a fetch, each
 * with its producer and first offset, in no particular order; walking the records in offset
 * order, a producer is aborted from its transaction's first offset until its abort marker,
 * and a transactional record of an aborted producer is not a message.
 *
 * kafkajs's own filter takes the list as sorted and takes at most one transaction per record,
 * so a transaction that began first but was aborted last, or a fetch that starts inside two
 * aborted transactions, lets aborted records through as messages (rows that were never
 * committed). Aborted records are marked the way kafkajs marks what it hides, as control
 * records: they stay in the batch's offsets (so the consumer moves past them) but never reach
 * `eachBatch`; the broker's list is then emptied, leaving kafkajs nothing to filter.
 */
export function hideAbortedRecords(partition: FetchedPartition): void {
  const list = partition.abortedTransactions;
  if (list === undefined || list.length === 0) return;
  const starts = list
    .map((t) => ({ producerId: t.producerId, firstOffset: BigInt(t.firstOffset) }))
    .sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const aborted = new Set<string>();
  let next = 0;
  for (const record of partition.messages) {
    const offset = BigInt(record.offset);
    for (let t = starts[next]; t !== undefined && t.firstOffset <= offset; t = starts[++next]) {
      aborted.add(t.producerId);
    }
    const { producerId, inTransaction } = record.batchContext;
    if (record.isControlRecord === true) {
      if (isAbortMarker(record)) aborted.delete(producerId);
    } else if (inTransaction && aborted.has(producerId)) {
      record.isControlRecord = true;
    }
  }
  partition.abortedTransactions = [];
}

/** A control record's key: version (int16), then type (int16): 0 abort, 1 commit. */
function isAbortMarker(record: FetchedRecord): boolean {
  const { key } = record;
  return key !== null && key.length >= 4 && key.readInt16BE(2) === 0;
}

let installed = false;

/**
 * Every kafkajs fetch of this process goes through hideAbortedRecords before kafkajs builds
 * its batches (kafkajs has no hook for it: its Broker's fetch is wrapped, once per process,
 * whatever the order clients are created in). Idempotent; runs before any client is created
 * (create-kafka.ts).
 */
export function installAbortedRecordFilter(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const Broker = require('kafkajs/src/broker/index.js') as {
    prototype: { fetch: (this: unknown, ...args: unknown[]) => Promise<FetchResponse> };
  };
  const fetch = Broker.prototype.fetch;
  Broker.prototype.fetch = async function fetchWithoutAbortedRecords(this: unknown, ...args) {
    const response = await fetch.apply(this, args);
    for (const topic of response.responses) {
      for (const partition of topic.partitions) hideAbortedRecords(partition);
    }
    return response;
  };
}
