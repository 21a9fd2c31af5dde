import type { Admin } from 'kafkajs';
import { IngestError } from '../errors.ts';

/** Start-up check: the worker never auto-creates topics, so a missing one stops it clearly. */
export async function assertTopicsExist(
  admin: Pick<Admin, 'listTopics'>,
  topics: readonly string[],
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    throw new IngestError(
      `Kafka topics missing: ${missing.join(', ')} (create them, e.g. hanzo-ingest topics apply)`,
      { retriable: false },
    );
  }
}
