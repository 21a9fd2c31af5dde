import type { Producer } from 'kafkajs';
import type { DemoEventStream } from './demo-events.ts';

export interface ProduceDemoOptions {
  readonly topic: string;
  readonly count: number;
  /** Events per second, sent in about ten batches a second. */
  readonly rate: number;
}

/** Produces `count` messages of the stream at about `rate` per second (acks=all). */
export async function produceDemoEvents(
  producer: Producer,
  stream: DemoEventStream,
  options: ProduceDemoOptions,
): Promise<void> {
  const chunk = Math.max(100, Math.floor(options.rate / 10));
  const started = Date.now();
  for (let sent = 0; sent < options.count; sent += chunk) {
    const size = Math.min(chunk, options.count - sent);
    const messages = Array.from({ length: size }, () => stream.next());
    await producer.send({ topic: options.topic, acks: -1, messages });
    const ahead = ((sent + size) / options.rate) * 1000 - (Date.now() - started);
    if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead));
  }
}
