import { randomBytes } from 'node:crypto';

/**
 * Deduplication tokens are scoped so that two different streams never share one:
 * `<pipeline>~<life>/<topic>:<partition>:<first>-<last>` (sealed-batch.ts).
 *
 * - `pipeline` (INGEST_PIPELINE_ID) tells apart pipelines that feed one table: by default the
 *   Kafka cluster's id (two clusters with equally named topics) and the consumer group (the
 *   group owns the committed offsets the ranges come from; a new group id is also how an
 *   operator starts afresh without the old tokens swallowing the new blocks).
 * - `life` tells apart lives of one partition: it is drawn at random whenever the group's
 *   committed position carries no namespace of ours (a new group; a topic deleted and
 *   re-created, whose offsets Kafka drops; offsets reset by hand, e.g. to re-ingest after
 *   `ALTER DELETE`; a committed offset beyond the log end) and then rides in every commit's
 *   metadata (pending-range.ts), so every later owner keeps it.
 * Drawing a new life can only cause duplicates if the previous one had a range pending,
 * and a recorded pending range is always re-formed under its own recorded namespace.
 */
export const PIPELINE_ID_PATTERN = /^[A-Za-z0-9._:/-]{1,200}$/;

const SEPARATOR = '~';

/** `life`: 12 random hex digits (48 bits: no two lives of one partition meet). */
export function newPartitionLife(): string {
  return randomBytes(6).toString('hex');
}

export function tokenNamespace(pipelineId: string, life: string): string {
  return `${pipelineId}${SEPARATOR}${life}`;
}

/** The life recorded in a namespace (the pipeline id may change between deployments). */
export function lifeOf(namespace: string): string | undefined {
  const at = namespace.lastIndexOf(SEPARATOR);
  return at < 0 ? undefined : namespace.slice(at + 1) || undefined;
}

/**
 * The default pipeline id: `<cluster id>/<group id>` with anything outside the token
 * alphabet replaced, at most 200 characters. The cluster id is Kafka's own (describeCluster).
 */
export function defaultPipelineId(clusterId: string, groupId: string): string {
  return `${clusterId}/${groupId}`.replace(/[^A-Za-z0-9._:/-]/g, '_').slice(0, 200);
}
