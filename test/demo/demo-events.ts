import type { DeadLetterReason } from '../../src/decode/outcome.ts';
import { SampleEventGenerator, type SampleEvent } from '../../src/sample/sample-events.ts';

/**
 * The demo's stream: realistic events that exercise every enrichment (client IPs in the
 * bundled geo database, browser, mobile and bot user agents, `$llm_request` events of models
 * the bundled price table knows, prompts and completions the scrub removes, sessions of
 * several events), and every n-th message malformed, cycling through several reasons.
 */

/** Models with a price in the bundled table (genai-prices), most used first. */
export const DEMO_MODELS: readonly (readonly [string, string])[] = [
  ['gpt-4o', 'openai'],
  ['gpt-4o-mini', 'openai'],
  ['claude-sonnet-4-5', 'anthropic'],
  ['claude-haiku-4-5', 'anthropic'],
  ['gemini-2.5-flash', 'google'],
  ['llama-3.3-70b-versatile', 'groq'],
  ['mistral-large-latest', 'mistral'],
];

/** What the enrichment must scrub: raw prompts and completions (HIP-47). */
export const DEMO_CONTENT_KEYS = ['$ai_input', '$ai_output_choices'] as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/** One malformed kind: the reason it must be dead-lettered with, and how it is made. */
export interface MalformedKind {
  readonly reason: DeadLetterReason;
  readonly build: (event: SampleEvent, nowMs: number) => string;
}

export const MALFORMED_KINDS: readonly MalformedKind[] = [
  // A message cut short.
  { reason: 'invalid_json', build: (e) => `{"team_id": ${e.team_id}, "event": "${e.event}"` },
  { reason: 'wrong_type', build: (e) => JSON.stringify({ ...e, team_id: `team-${e.team_id}` }) },
  {
    reason: 'missing_field',
    build: (e) =>
      JSON.stringify(Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'event'))),
  },
  // A sender whose clock runs three days ahead (the default tolerance is one day).
  {
    reason: 'timestamp_in_future',
    build: (e, nowMs) =>
      JSON.stringify({ ...e, timestamp: new Date(nowMs + 3 * DAY_MS).toISOString() }),
  },
  { reason: 'not_an_object', build: (e) => JSON.stringify([e]) },
];

export interface DemoMessage {
  readonly key: string;
  readonly value: string;
}

/** What was produced, for the report to check against. */
export interface ProducedTally {
  good: number;
  /** `$llm_request` events sent with prompt and completion content. */
  withContent: number;
  readonly malformedByReason: Map<DeadLetterReason, number>;
}

export interface DemoEventOptions {
  readonly seed: number;
  /** Every n-th message is malformed (0: none). */
  readonly malformedEvery: number;
  /** Events are spread over the `spanMs` before `endMs`. */
  readonly endMs?: number;
  readonly spanMs?: number;
}

export class DemoEventStream {
  readonly #generator: SampleEventGenerator;
  readonly #malformedEvery: number;
  #n = 0;
  readonly tally: ProducedTally = { good: 0, withContent: 0, malformedByReason: new Map() };

  constructor(options: DemoEventOptions) {
    this.#generator = new SampleEventGenerator({
      seed: options.seed,
      models: DEMO_MODELS,
      ...(options.endMs === undefined ? {} : { endMs: options.endMs }),
      ...(options.spanMs === undefined ? {} : { spanMs: options.spanMs }),
    });
    this.#malformedEvery = options.malformedEvery;
  }

  next(nowMs = Date.now()): DemoMessage {
    this.#n++;
    const event = this.#generator.next();
    if (this.#malformedEvery > 0 && this.#n % this.#malformedEvery === 0) {
      const index = (this.#n / this.#malformedEvery - 1) % MALFORMED_KINDS.length;
      const kind = MALFORMED_KINDS[index] as MalformedKind;
      const { malformedByReason } = this.tally;
      malformedByReason.set(kind.reason, (malformedByReason.get(kind.reason) ?? 0) + 1);
      return { key: event.distinct_id, value: kind.build(event, nowMs) };
    }
    this.tally.good++;
    if (event.event === '$llm_request') {
      this.tally.withContent++;
      event.properties = { ...event.properties, ...promptContent(event) };
    }
    return { key: event.distinct_id, value: JSON.stringify(event) };
  }

  get malformed(): number {
    let n = 0;
    for (const count of this.tally.malformedByReason.values()) n += count;
    return n;
  }
}

/** A prompt with personal data in it and the model's answer: neither may be stored. */
function promptContent(event: SampleEvent): Record<(typeof DEMO_CONTENT_KEYS)[number], unknown> {
  return {
    $ai_input: [
      { role: 'system', content: 'You are a helpful assistant.' },
      {
        role: 'user',
        content: `Draft a reply to ${event.distinct_id}@example.com about invoice ${event.uuid.slice(0, 8)}`,
      },
    ],
    $ai_output_choices: [{ role: 'assistant', content: 'Hi! Thanks for reaching out about…' }],
  };
}
