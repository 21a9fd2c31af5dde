import { createHash } from 'node:crypto';

/**
 * A UUID derived from where the message sits in Kafka, for events sent without one:
 * replaying the same offset yields the same uuid, so re-ingestion stays idempotent.
 * Name-based (SHA-1, version 5 layout) over "topic:partition:offset".
 */
export function uuidFromOrigin(topic: string, partition: number, offset: string): string {
  const hash = createHash('sha1').update(`hanzo-ingest:${topic}:${partition}:${offset}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
