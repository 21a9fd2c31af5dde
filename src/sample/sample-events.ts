import { randomUUID } from 'node:crypto';

/**
 * Realistic HIP-47 events for the demo, tests and benchmarks: page views, custom product
 * events and `$llm_request` usage events, with user agents and IPs that repeat the way
 * real traffic does (a few very common, a long tail), and properties of realistic size.
 * Deterministic for a given seed, except uuids when `randomUuids` is on.
 */
export interface SampleEvent {
  uuid: string;
  team_id: number;
  event: string;
  timestamp: string;
  distinct_id: string;
  session_id: string;
  properties: Record<string, unknown>;
  model?: string;
  provider?: string;
  tokens_prompt?: number;
  tokens_completion?: number;
  organization_id?: string;
  project_id?: string;
  api_key_id?: string;
}

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.102 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'python-httpx/0.27.2',
  'hanzo-sdk-node/2.4.1 (node 22.11.0; linux x64)',
];
const PAGES = [
  '/',
  '/pricing',
  '/docs',
  '/docs/quickstart',
  '/dashboard',
  '/settings',
  '/blog/clickhouse-at-hanzo',
  '/signup',
  '/login',
  '/chat',
];
const REFERRERS = [
  '',
  '',
  '',
  'https://www.google.com/',
  'https://news.ycombinator.com/',
  'https://x.com/',
  'https://github.com/hanzoai',
];
const CUSTOM_EVENTS = [
  'signup',
  'onboarding_complete',
  'first_api_call',
  'feature_flag_called',
  'button_clicked',
  'subscription_started',
];
/** Models of `$llm_request` events (model, provider); two have no price in the bundled table. */
export const SAMPLE_MODELS: readonly (readonly [string, string])[] = [
  ['gpt-4o', 'openai'],
  ['gpt-4o-mini', 'openai'],
  ['claude-sonnet-4-5', 'anthropic'],
  ['claude-haiku-4-5', 'anthropic'],
  ['gemini-2.5-flash', 'google'],
  ['llama-3.3-70b-instruct', 'together'],
  ['zen-coder-34b', 'hanzo'],
];
const UTM = [
  undefined,
  undefined,
  undefined,
  ['google', 'cpc', 'brand'],
  ['newsletter', 'email', 'nov-launch'],
  ['x', 'social', 'launch-week'],
] as const;

/** A small fast PRNG (mulberry32): deterministic samples for a given seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleOptions {
  readonly seed?: number;
  /** Events are spread over the last `spanMs` before `endMs`. */
  readonly endMs?: number;
  readonly spanMs?: number;
  readonly teams?: number;
  readonly users?: number;
  /** (model, provider) pairs of `$llm_request` events, most used first (default SAMPLE_MODELS). */
  readonly models?: readonly (readonly [string, string])[];
}

export class SampleEventGenerator {
  readonly #rand: () => number;
  readonly #endMs: number;
  readonly #spanMs: number;
  readonly #teams: number;
  readonly #users: number;
  readonly #models: readonly (readonly [string, string])[];
  #n = 0;

  constructor(options: SampleOptions = {}) {
    this.#rand = prng(options.seed ?? 47);
    this.#endMs = options.endMs ?? Date.now();
    this.#spanMs = options.spanMs ?? 60 * 60 * 1000;
    this.#teams = options.teams ?? 20;
    this.#users = options.users ?? 5_000;
    this.#models = options.models ?? SAMPLE_MODELS;
  }

  /** Zipf-like pick: low indexes far more often, a long tail. */
  #skewed(n: number): number {
    return Math.min(n - 1, Math.floor(n * this.#rand() ** 3));
  }

  #pick<T>(items: readonly T[]): T {
    return items[this.#skewed(items.length)] as T;
  }

  next(): SampleEvent {
    this.#n++;
    const r = this.#rand();
    const user = this.#skewed(this.#users);
    const team = 1 + (user % this.#teams);
    const ts = this.#endMs - Math.floor(this.#rand() * this.#spanMs);
    const base = {
      uuid: randomUUID(),
      team_id: team,
      timestamp: new Date(ts).toISOString(),
      distinct_id: `user_${user}`,
      session_id: `s_${user}_${Math.floor(ts / 1_800_000)}`,
    };
    const ip =
      this.#rand() < 0.02
        ? `10.0.${this.#skewed(255)}.${this.#skewed(255)}`
        : `${81 + this.#skewed(120)}.${this.#skewed(255)}.${(user * 7) % 255}.${((user * 13) % 254) + 1}`;
    const common = {
      $ip: ip,
      $user_agent: this.#pick(USER_AGENTS),
      $lib: 'web',
      $lib_version: '1.187.2',
    };
    if (r < 0.55) {
      const page = this.#pick(PAGES);
      const utm = this.#pick(UTM);
      return {
        ...base,
        event: '$pageview',
        properties: {
          ...common,
          $current_url: `https://hanzo.ai${page}`,
          $host: 'hanzo.ai',
          $pathname: page,
          $referrer: this.#pick(REFERRERS),
          $screen_width: 1440,
          $screen_height: 900,
          title: `Hanzo | ${page}`,
          ...(utm === undefined
            ? {}
            : { utm_source: utm[0], utm_medium: utm[1], utm_campaign: utm[2] }),
        },
      };
    }
    if (r < 0.75) {
      return {
        ...base,
        event: this.#pick(CUSTOM_EVENTS),
        properties: {
          ...common,
          plan: this.#pick(['free', 'pro', 'team', 'enterprise']),
          value: Math.round(this.#rand() * 1000) / 10,
        },
      };
    }
    const [model, provider] = this.#pick(this.#models);
    const org = `org_${1 + (team % 7)}`;
    return {
      ...base,
      event: '$llm_request',
      model,
      provider,
      tokens_prompt: 50 + Math.floor(this.#rand() ** 2 * 8_000),
      tokens_completion: 10 + Math.floor(this.#rand() ** 2 * 2_000),
      organization_id: org,
      project_id: `${org}_proj_${this.#skewed(4)}`,
      api_key_id: `key_${this.#skewed(40)}`,
      properties: {
        ...common,
        $lib: 'hanzo-sdk-node',
        latency_ms: 150 + Math.floor(this.#rand() * 4000),
        stream: this.#rand() < 0.6,
        temperature: 0.7,
      },
    };
  }

  get count(): number {
    return this.#n;
  }
}
