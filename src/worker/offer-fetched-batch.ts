import type { EachBatchPayload } from 'kafkajs';
import type { AvroSchemas } from '../decode/avro-schemas.ts';
import type { MessageDecoder } from '../decode/decode-message.ts';
import { awaitSchemaLookup } from './await-schema-lookup.ts';
import { ingestedAtNow, type PartitionLane } from './partition-lane.ts';

/** Decoding a fetched batch gives the event loop a turn after this long… */
const YIELD_AFTER_MS = 20;
/** …checked every this many messages. */
const YIELD_CHECK_EVERY = 64;

export interface FetchedBatchHandlers {
  readonly decoder: MessageDecoder;
  readonly schemas: AvroSchemas | undefined;
  /** The worker is draining: take nothing more. */
  readonly stopping: () => boolean;
  /** The lane cannot take more now: pause its partition (it is fetched again on resume). */
  readonly onFull: (lane: PartitionLane) => void;
  /** The lane sealed a batch and has none in flight: deliver it. */
  readonly onSealed: (lane: PartitionLane) => void;
  /** The schema registry could not answer; the partition waits and retries. */
  readonly onRegistryRetry: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Offers a fetched batch's messages to their partition's lane, in offset order, until the
 * lane is full, dropped or the worker stops; resolves each taken offset with kafkajs.
 * Returns how many messages were taken (redelivered ones are skipped, not counted).
 */
export async function offerFetchedBatch(
  payload: EachBatchPayload,
  lane: PartitionLane,
  handlers: FetchedBatchHandlers,
): Promise<number> {
  const { batch } = payload;
  const ingestedAt = ingestedAtNow(Date.now());
  let taken = 0;
  let sliceStarted = performance.now();
  for (const [i, message] of batch.messages.entries()) {
    // A fetched batch can hold many thousand messages: decoding them in one go would
    // starve heartbeats, timers and the metrics endpoint on a busy core.
    if (i % YIELD_CHECK_EVERY === 0 && performance.now() - sliceStarted > YIELD_AFTER_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStarted = performance.now();
    }
    if (!payload.isRunning() || payload.isStale() || !lane.alive || handlers.stopping()) break;
    const schemaId = handlers.decoder.pendingSchemaId(message.value);
    if (schemaId !== undefined && handlers.schemas !== undefined) {
      const settled = await awaitSchemaLookup(handlers.schemas, schemaId, {
        keepWaiting: () =>
          payload.isRunning() && !payload.isStale() && lane.alive && !handlers.stopping(),
        heartbeat: () => payload.heartbeat(),
        onRetry: handlers.onRegistryRetry,
      });
      // Not resolved: kafkajs fetches this message again for whoever owns the partition next.
      if (!settled) break;
    }
    const result = lane.offer(message, batch.topic, batch.partition, ingestedAt);
    if (result === 'full') {
      handlers.onFull(lane);
      break;
    }
    if (result === 'accepted') taken++;
    payload.resolveOffset(message.offset);
    if (lane.ready !== undefined && lane.inFlight === undefined) handlers.onSealed(lane);
  }
  const last = batch.messages[batch.messages.length - 1];
  // Everything fetched was offered: a re-formed range the log ends before cannot complete.
  if (last !== undefined && lane.alive && lane.offeredUpTo >= BigInt(last.offset)) {
    if (!lane.logEndsAt(BigInt(batch.highWatermark))) handlers.onFull(lane);
    else if (lane.ready !== undefined && lane.inFlight === undefined) handlers.onSealed(lane);
  }
  return taken;
}
