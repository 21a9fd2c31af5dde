import type { Message } from 'kafkajs';
import { SampleEventGenerator, type SampleEvent } from '../../src/demo/sample-events.ts';

/** n sample events as JSON Kafka messages, round-robin over `partitions`, with their uuids. */
export function jsonEvents(
  n: number,
  partitions: number,
  seed = 1,
): { messages: Message[]; events: SampleEvent[] } {
  const generator = new SampleEventGenerator({ seed });
  const events: SampleEvent[] = [];
  const messages: Message[] = [];
  for (let i = 0; i < n; i++) {
    const event = generator.next();
    events.push(event);
    messages.push({
      key: event.distinct_id,
      value: JSON.stringify(event),
      partition: i % partitions,
    });
  }
  return { messages, events };
}

export function sumTokens(events: readonly SampleEvent[]): number {
  return events.reduce((sum, e) => sum + (e.tokens_prompt ?? 0) + (e.tokens_completion ?? 0), 0);
}
