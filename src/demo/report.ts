import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS, headerText } from '../dlq/dead-letter-headers.ts';
import { readTopicToEnd } from '../dlq/read-topic-to-end.ts';

/** What landed, printed as tables: the demo's closing report. */
export async function printReport(
  clickhouse: ClickHouseClient,
  kafka: Kafka,
  dlqTopic: string,
): Promise<void> {
  const table = async (title: string, query: string): Promise<void> => {
    const rows = await (
      await clickhouse.query({ query, format: 'JSONEachRow' })
    ).json<Record<string, unknown>>();
    console.log(`\n${title}`);
    console.table(rows);
  };
  await table(
    'events in ClickHouse',
    `SELECT count() AS rows, uniqExact(uuid) AS unique_uuids, count() - uniqExact(uuid) AS duplicates,
            uniqExact(_partition) AS partitions, min(timestamp) AS first, max(timestamp) AS last FROM events`,
  );
  await table(
    'by event',
    'SELECT event, count() AS n, uniqExact(distinct_id) AS users FROM events GROUP BY event ORDER BY n DESC LIMIT 8',
  );
  await table(
    'LLM usage by model (token_usage_daily shape)',
    `SELECT model, provider, count() AS requests, sum(tokens_prompt) AS prompt_tokens, sum(tokens_completion) AS completion_tokens
       FROM events WHERE event = '$llm_request' GROUP BY model, provider ORDER BY requests DESC`,
  );
  await table(
    'top pages',
    `SELECT pathname, count() AS views FROM events WHERE event = '$pageview' GROUP BY pathname ORDER BY views DESC LIMIT 5`,
  );
  // Read committed, as any DLQ reader should: the topic is written in transactions, so its
  // log end also counts commit markers and aborted attempts.
  // Counted by source (kafkajs may let an aborted record through: README, Guarantees).
  const reasons = new Map<string, number>();
  const sources = new Set<string>();
  await readTopicToEnd(kafka, dlqTopic, (record) => {
    const source = `${headerText(record.headers, DLQ_HEADERS.sourceTopic)}:${headerText(record.headers, DLQ_HEADERS.sourcePartition)}:${headerText(record.headers, DLQ_HEADERS.sourceOffset)}`;
    if (sources.has(source)) return;
    sources.add(source);
    const reason = headerText(record.headers, DLQ_HEADERS.errorClass) ?? '(none)';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  });
  console.log(`\ndead letters in ${dlqTopic}: ${sources.size}, one per malformed message produced`);
  console.table([...reasons].map(([reason, n]) => ({ reason, n })));
}
