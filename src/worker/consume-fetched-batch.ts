import type { EachBatchPayload } from 'kafkajs';
import type { AvroSchemas } from '../decode/avro-schemas.ts';
import type { MessageDecoder } from '../decode/decode-message.ts';
import { toClickHouseDateTime64 } from '../decode/event-row.ts';
import type { PartitionPipeline } from '../pipeline/partition-pipeline.ts';
import { awaitSchemaLookup } from './await-schema-lookup.ts';

/** Submitting a fetched batch gives the event loop a turn after this long… */
const YIELD_AFTER_MS = 20;
/** …checked every this many messages. */
const YIELD_CHECK_EVERY = 64;

export interface FetchedBatchContext {
  readonly decoder: MessageDecoder;
  readonly schemas: AvroSchemas | undefined;
  /** The worker is draining: take nothing more. */
  readonly stopping: () => boolean;
  /** The schema registry could not answer; the partition waits and retries (logs, metrics). */
  readonly reportRegistryRetry: (err: unknown, attempt: number, delayMs: number) => void;
}

export interface FetchedBatchResult {
  /** Messages taken (redelivered ones are skipped, not counted). */
  readonly taken: number;
  /** The pipeline refused a message: pause the partition (it is fetched again on resume). */
  readonly refused: boolean;
}

/**
 * kafkajs `eachBatch` → the partition's pipeline: submits the fetched messages in offset
 * order until the pipeline refuses one, is terminated, or the worker stops; resolves each
 * taken offset with kafkajs. An Avro message whose schema is not known yet waits for the
 * registry first (heartbeating), so its partition never dead-letters a registry outage.
 */
export async function consumeFetchedBatch(
  payload: EachBatchPayload,
  pipeline: PartitionPipeline,
  context: FetchedBatchContext,
): Promise<FetchedBatchResult> {
  const { batch } = payload;
  const nowMs = Date.now();
  const stepContext = { nowMs, ingestedAt: toClickHouseDateTime64(nowMs) };
  const keepGoing = (): boolean =>
    payload.isRunning() && !payload.isStale() && pipeline.alive && !context.stopping();
  let taken = 0;
  // The last offset done (taken or skipped), told to kafkajs before any wait and at the end
  // rather than per message: each call parses and prints the offset as a 64-bit Long, and
  // kafkajs only reads it when it fetches next (no auto-commit: our commits are our own).
  let done: string | undefined;
  const resolveDone = (): void => {
    if (done !== undefined) payload.resolveOffset(done);
    done = undefined;
  };
  let sliceStarted = performance.now();
  for (const [i, message] of batch.messages.entries()) {
    // A fetched batch can hold many thousand messages: decoding them in one go would
    // starve heartbeats, timers and the metrics endpoint on a busy core.
    if (i % YIELD_CHECK_EVERY === 0 && performance.now() - sliceStarted > YIELD_AFTER_MS) {
      resolveDone();
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStarted = performance.now();
    }
    if (!keepGoing()) break;
    const schemaId = context.decoder.pendingSchemaId(message.value);
    if (schemaId !== undefined && context.schemas !== undefined) {
      resolveDone();
      const settled = await awaitSchemaLookup(context.schemas, schemaId, {
        keepWaiting: keepGoing,
        heartbeat: () => payload.heartbeat(),
        onRetry: context.reportRegistryRetry,
      });
      // Not resolved: kafkajs fetches this message again for whoever owns the partition next.
      if (!settled) break;
    }
    const result = pipeline.submit(message, stepContext);
    if (result === 'refused') {
      resolveDone();
      return { taken, refused: true };
    }
    if (result === 'accepted') taken++;
    done = message.offset;
  }
  resolveDone();
  const last = batch.messages[batch.messages.length - 1];
  // Everything fetched was taken: a re-formed range the log ends before cannot complete.
  if (last !== undefined && pipeline.alive && pipeline.takenUpTo >= BigInt(last.offset)) {
    // The records read around the messages (markers, aborted records) are passed too.
    pipeline.readThrough(BigInt(batch.firstOffset() ?? last.offset), BigInt(batch.lastOffset()));
    if (!pipeline.fetchEnded(BigInt(batch.highWatermark))) return { taken, refused: true };
  }
  return { taken, refused: false };
}
