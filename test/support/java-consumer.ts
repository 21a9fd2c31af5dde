import { runKafkaTool } from './kafka-tool.ts';
import { testStack } from './stack-env.ts';

const CONSOLE_CONSUMER = 'org.apache.kafka.tools.consumer.ConsoleConsumer';

/**
 * The values of the first `count` messages of `topic`, read from the beginning by Apache
 * Kafka's own Java console consumer (one line each: values must hold no line breaks), as
 * read_committed readers see them (a transactional topic such as the DLQ may hold records
 * of aborted transactions, which read_uncommitted, the console consumer's default, shows).
 * Rejects when fewer arrive within `timeoutMs`.
 */
export async function consumeWithJavaConsumer(
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<string[]> {
  const { stdout } = await runKafkaTool(
    CONSOLE_CONSUMER,
    [
      '--bootstrap-server',
      testStack().brokers.join(','),
      '--topic',
      topic,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--max-messages',
      String(count),
      '--timeout-ms',
      String(timeoutMs),
    ],
    { timeoutMs: timeoutMs + 30_000 },
  );
  const values = stdout.split('\n').filter((line) => line !== '');
  if (values.length !== count) {
    throw new Error(`ConsoleConsumer read ${values.length} of ${count} messages of ${topic}`);
  }
  return values;
}

/**
 * Every record of `topic` Apache Kafka's Java console consumer reads within `idleMs` of
 * silence, as read_committed (Kafka's reference filtering of aborted transactions), with its
 * headers: one `{ headers, value }` per record.
 */
export async function consumeCommittedWithJavaConsumer(
  topic: string,
  idleMs = 15_000,
): Promise<{ headers: Map<string, string>; value: string }[]> {
  const { stdout } = await runKafkaTool(
    CONSOLE_CONSUMER,
    [
      '--bootstrap-server',
      testStack().brokers.join(','),
      '--topic',
      topic,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--property',
      'print.headers=true',
      '--property',
      'headers.separator=|',
      '--timeout-ms',
      String(idleMs),
    ],
    { timeoutMs: idleMs + 60_000 },
  );
  return stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('Processed a total'))
    .map((line) => {
      const tab = line.indexOf('\t');
      const headers = new Map<string, string>();
      for (const pair of line.slice(0, tab).split('|')) {
        const colon = pair.indexOf(':');
        if (colon > 0) headers.set(pair.slice(0, colon), pair.slice(colon + 1));
      }
      return { headers, value: line.slice(tab + 1) };
    });
}
