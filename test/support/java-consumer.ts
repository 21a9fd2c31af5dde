import { runKafkaTool } from './kafka-tool.ts';
import { testStack } from './stack-env.ts';

const CONSOLE_CONSUMER = 'org.apache.kafka.tools.consumer.ConsoleConsumer';

/**
 * The values of the first `count` messages of `topic`, read from the beginning by Apache
 * Kafka's own Java console consumer (one line each: values must hold no line breaks).
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
