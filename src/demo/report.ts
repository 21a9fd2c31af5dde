import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';

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
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(dlqTopic);
  await admin.disconnect();
  console.log(`\ndead letters in ${dlqTopic}: ${offsets.reduce((n, o) => n + Number(o.high), 0)}`);
}
