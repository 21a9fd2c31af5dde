import { Partitioners, type Kafka, type Message } from 'kafkajs';
import { SampleEventGenerator } from '../../../../src/sample/sample-events.ts';

/**
 * A steady stream of realistic events into a topic until stopped, including what the
 * dashboards must show: malformed messages (dead letters) and events that enrichment
 * cannot fully enrich (private IP, unparseable user agent, an unpriced model, raw LLM
 * content that is scrubbed).
 */
export class LoadProducer {
  produced = 0;
  readonly #kafka: Kafka;
  readonly #topic: string;
  readonly #perSecond: number;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(kafka: Kafka, topic: string, perSecond: number) {
    this.#kafka = kafka;
    this.#topic = topic;
    this.#perSecond = perSecond;
  }

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<number> {
    this.#stopped = true;
    await this.#loop;
    return this.produced;
  }

  async #run(): Promise<void> {
    const producer = this.#kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const generator = new SampleEventGenerator({ seed: 11 });
    const tickMs = 250;
    const perTick = Math.max(1, Math.round((this.#perSecond * tickMs) / 1000));
    try {
      while (!this.#stopped) {
        const started = Date.now();
        const messages: Message[] = [];
        for (let i = 0; i < perTick; i++)
          messages.push(this.#message(generator, this.produced + i));
        await producer.send({ topic: this.#topic, acks: -1, messages });
        this.produced += messages.length;
        await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - started))));
      }
    } finally {
      await producer.disconnect();
    }
  }

  #message(generator: SampleEventGenerator, n: number): Message {
    if (n % 200 === 7) return { value: '{"this is": not json' };
    const event = generator.next();
    if (n % 50 === 3) {
      event.properties['$ip'] = '10.1.2.3';
      event.properties['$user_agent'] = 'zz~~ not a browser ~~zz';
    }
    if (n % 50 === 5) {
      Object.assign(event, {
        event: '$llm_request',
        model: 'acme-unpriced-model-7',
        provider: 'acme',
        tokens_prompt: 120,
        tokens_completion: 40,
      });
      event.properties['prompt'] = 'a raw prompt that must never be stored';
    }
    return { key: event.distinct_id, value: JSON.stringify(event) };
  }
}
