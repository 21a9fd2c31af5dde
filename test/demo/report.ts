import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';
import { collectClickHouseFigures } from './collect-report.ts';
import { countDeadLetters } from './count-dead-letters.ts';
import type { ProducedTally } from './demo-events.ts';
import { renderReport, type RenderedReport } from './render-report.ts';

/**
 * The demo's closing report: what ClickHouse holds (events and the HIP-47 rollups) and what
 * the dead-letter topic holds, checked against what was produced.
 */
export async function buildReport(
  clickhouse: ClickHouseClient,
  kafka: Kafka,
  dlqTopic: string,
  produced: ProducedTally,
): Promise<RenderedReport> {
  const [figures, deadLetters] = await Promise.all([
    collectClickHouseFigures(clickhouse),
    countDeadLetters(kafka, dlqTopic),
  ]);
  return renderReport({ produced, clickhouse: figures, deadLetters, dlqTopic });
}
