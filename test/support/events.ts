import { readFileSync } from 'node:fs';
import avro from 'avsc';
import type { Message } from 'kafkajs';
import { SampleEventGenerator, type SampleEvent } from '../../src/sample/sample-events.ts';

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

/** `schemas/avro/event.avsc`, the worker's reader schema, as a type to write test events with. */
export const avroEventType = avro.Type.forSchema(
  JSON.parse(readFileSync('schemas/avro/event.avsc', 'utf8')) as avro.Schema,
);

/** A payload in Confluent's wire format: magic byte 0, 4-byte schema id, then `payload`. */
export function confluentFramed(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}

/** n sample events as Avro records of `schemas/avro/event.avsc`, with their uuids. */
export function avroRecords(
  n: number,
  seed: number,
): { uuid: string; record: Record<string, unknown> }[] {
  const generator = new SampleEventGenerator({ seed });
  return Array.from({ length: n }, () => {
    const e = generator.next();
    return {
      uuid: e.uuid,
      record: {
        uuid: e.uuid,
        team_id: e.team_id,
        event: e.event,
        distinct_id: e.distinct_id,
        timestamp: Date.parse(e.timestamp),
        session_id: e.session_id,
        properties: JSON.stringify(e.properties),
        model: e.model ?? null,
        provider: e.provider ?? null,
        tokens_prompt: e.tokens_prompt ?? null,
        tokens_completion: e.tokens_completion ?? null,
        cost_usd: null,
        organization_id: e.organization_id ?? null,
        project_id: e.project_id ?? null,
        api_key_id: e.api_key_id ?? null,
      },
    };
  });
}
