import type { CompressionTypes, Message, Producer } from 'kafkajs';
import { SampleEventGenerator } from './sample-events.ts';

/**
 * A steady stream of realistic HIP-47 events for compose and smoke tests: `rate` events per
 * second in about ten sends a second, keyed by distinct_id (a user's events stay in one partition),
 * timestamps close to now. `malformedEvery` > 0 makes every n-th message malformed JSON on
 * purpose, so the dead-letter path is visible too.
 */
export interface ProduceSampleOptions {
  readonly topic: string;
  readonly rate: number;
  /** Stop after this many messages (undefined: until the signal aborts). */
  readonly count?: number | undefined;
  readonly malformedEvery: number;
  /** Codec of the produced batches; none when unset. */
  readonly compression?: CompressionTypes;
  readonly signal: AbortSignal;
}

/** Produces until `count` is reached or `signal` aborts; returns the messages sent. */
export async function produceSampleEvents(
  producer: Producer,
  options: ProduceSampleOptions,
): Promise<number> {
  // About ten sends a second; slower rates send one event per send.
  const perTick = Math.max(1, Math.round(options.rate / 10));
  const tickMs = (perTick * 1000) / options.rate;
  const started = Date.now();
  let sent = 0;
  for (let tick = 0; !options.signal.aborted; tick++) {
    if (options.count !== undefined && sent >= options.count) break;
    const size = Math.min(perTick, (options.count ?? Infinity) - sent);
    // A fresh generator per tick keeps timestamps within the last second of "now".
    const generator = new SampleEventGenerator({ seed: tick, endMs: Date.now(), spanMs: 1_000 });
    const messages: Message[] = [];
    for (let i = 0; i < size; i++) {
      const event = generator.next();
      const n = sent + i + 1;
      const malformed = options.malformedEvery > 0 && n % options.malformedEvery === 0;
      messages.push({
        key: event.distinct_id,
        value: malformed
          ? `{"team_id": "not-a-number", "event": "${event.event}"`
          : JSON.stringify(event),
      });
    }
    const { topic, compression } = options;
    await producer.send({
      topic,
      acks: -1,
      messages,
      ...(compression === undefined ? {} : { compression }),
    });
    sent += messages.length;
    const ahead = started + (tick + 1) * tickMs - Date.now();
    if (ahead > 0) await sleep(ahead, options.signal);
  }
  return sent;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
