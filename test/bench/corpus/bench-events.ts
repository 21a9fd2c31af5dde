import { privateIp, publicIpv4, publicIpv6 } from './ip-addresses.ts';
import {
  CUSTOM_EVENTS,
  FEATURES,
  FLAGS,
  PAGES,
  PLANS,
  PROMPTS,
  REFERRERS,
  UTM,
  referringDomain,
} from './web-vocabulary.ts';
import { PRICED_MODELS, UNPRICED_MODEL, type LlmModel } from './llm-models.ts';
import { SDK_USER_AGENTS, USER_AGENTS, uniqueChromeUserAgent } from './user-agents.ts';
import { prng } from '../../../src/sample/sample-events.ts';

/**
 * The benchmark corpus: HIP-47 events shaped like real PostHog-style traffic.
 * - 55 % `$pageview`, 25 % custom product events, 20 % `$llm_request` with real model ids;
 * - user agents and IPs repeat the way real traffic does (per-user home address, a few
 *   very common browsers) with a share of one-off values, IPv4 and IPv6, a few private;
 * - properties of realistic size (~1 KB: browser context, feature flags, campaign fields;
 *   some LLM events carry prompt content, which enrichment's privacy policy must strip).
 * Deterministic for a given seed and end time, uuids included, so another process can
 * regenerate exactly the rows that were produced.
 */
export interface BenchEvent {
  readonly uuid: string;
  readonly team_id: number;
  readonly event: string;
  readonly timestamp: string;
  readonly distinct_id: string;
  readonly session_id: string;
  readonly properties: Record<string, unknown>;
  readonly model?: string;
  readonly provider?: string;
  readonly tokens_prompt?: number;
  readonly tokens_completion?: number;
  readonly organization_id?: string;
  readonly project_id?: string;
  readonly api_key_id?: string;
}

export interface BenchEventOptions {
  readonly seed: number;
  /** Timestamps spread over the `spanMs` before this (unless given per event). */
  readonly endMs: number;
  readonly spanMs?: number;
  readonly users?: number;
  readonly teams?: number;
}

/** Shares of the mix; exported so tests can check the corpus keeps them. */
export const MIX = {
  pageview: 0.55,
  custom: 0.25,
  llm: 0.2,
  uniqueUserAgent: 0.03,
  uniqueIp: 0.05,
  privateIp: 0.01,
  ipv6Home: 0.2,
  unpricedModel: 0.03,
  promptContent: 0.3,
} as const;

/** A stable 32-bit hash of an integer (per-user attributes without storing them). */
function hash32(n: number, salt: number): number {
  let h = Math.imul(n ^ salt, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
const unit = (n: number, salt: number): number => hash32(n, salt) / 4294967296;
const hex8 = (x: number): string => x.toString(16).padStart(8, '0');

export class BenchEventGenerator {
  readonly #rand: () => number;
  readonly #endMs: number;
  readonly #spanMs: number;
  readonly #users: number;
  readonly #teams: number;

  constructor(options: BenchEventOptions) {
    this.#rand = prng(options.seed);
    this.#endMs = options.endMs;
    this.#spanMs = options.spanMs ?? 60 * 60 * 1000;
    this.#users = options.users ?? 20_000;
    this.#teams = options.teams ?? 40;
  }

  /** The next event; `timestampMs` (e.g. the produce time) overrides the spread timestamp. */
  next(timestampMs?: number): BenchEvent {
    const r = this.#rand();
    const user = this.#skewed(this.#users);
    const team = 1 + (hash32(user, 7) % this.#teams);
    const ts = timestampMs ?? this.#endMs - Math.floor(this.#rand() * this.#spanMs);
    const sessionSlot = Math.floor(ts / 1_800_000);
    const base = {
      uuid: this.#uuid(),
      team_id: team,
      timestamp: new Date(ts).toISOString(),
      distinct_id: `user_${hex8(hash32(user, 1))}${user}`,
      session_id: `0193${hex8(hash32(user, 2))}-${hex8(hash32(sessionSlot, user))}`,
    };
    if (r < MIX.pageview)
      return { ...base, event: '$pageview', properties: this.#pageview(user, ts) };
    if (r < MIX.pageview + MIX.custom) {
      return { ...base, event: this.#pick(CUSTOM_EVENTS), properties: this.#custom(user, ts) };
    }
    return this.#llmRequest(base, user, team, ts);
  }

  /** Index in [0, n): low indexes far more often, a long tail. */
  #skewed(n: number): number {
    return Math.min(n - 1, Math.floor(n * this.#rand() ** 3));
  }

  #pick<T>(items: readonly T[]): T {
    return items[this.#skewed(items.length)] as T;
  }

  #uuid(): string {
    const w = (): string => hex8(Math.floor(this.#rand() * 4294967296));
    const a = w();
    const b = w();
    const c = w();
    const d = w();
    const variant = ((parseInt(c.slice(0, 1), 16) & 0x3) | 0x8).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  /** Most events come from the user's home address; some from one-off or private ones. */
  #ip(user: number): string {
    const r = this.#rand();
    if (r < MIX.privateIp) return privateIp(this.#rand(), this.#rand());
    if (r < MIX.privateIp + MIX.uniqueIp) {
      const [a, b, c, d] = [this.#rand(), this.#rand(), this.#rand(), this.#rand()];
      return this.#rand() < MIX.ipv6Home ? publicIpv6(a, b, c, d) : publicIpv4(a, b, c, d);
    }
    const parts = [unit(user, 11), unit(user, 12), unit(user, 13), unit(user, 14)] as const;
    return unit(user, 15) < MIX.ipv6Home ? publicIpv6(...parts) : publicIpv4(...parts);
  }

  #userAgent(user: number): string {
    if (this.#rand() < MIX.uniqueUserAgent) {
      return uniqueChromeUserAgent(
        1000 + Math.floor(this.#rand() * 6000),
        Math.floor(this.#rand() * 200),
        this.#rand() < 0.5,
      );
    }
    // A user keeps their browser; the population is skewed towards the common ones.
    const skew = unit(user, 21) ** 2.5;
    return USER_AGENTS[Math.floor(skew * USER_AGENTS.length)] ?? USER_AGENTS[0]!;
  }

  #browserContext(user: number, ts: number): Record<string, unknown> {
    const wide = unit(user, 31) < 0.6;
    return {
      $ip: this.#ip(user),
      $user_agent: this.#userAgent(user),
      $browser_language: this.#rand() < 0.7 ? 'en-US' : this.#pick(['de-DE', 'fr-FR', 'ja-JP']),
      $screen_width: wide ? 1920 : 390,
      $screen_height: wide ? 1080 : 844,
      $viewport_width: wide ? 1728 : 390,
      $viewport_height: wide ? 960 : 664,
      $lib: 'web',
      $lib_version: '1.194.2',
      $insert_id: Math.floor(this.#rand() * 2 ** 52).toString(36),
      $time: ts / 1000,
      $device_id: `0192${hex8(hash32(user, 3))}-${hex8(hash32(user, 4))}-${hex8(hash32(user, 5))}`,
      $window_id: `0193${hex8(Math.floor(this.#rand() * 4294967296))}`,
      $active_feature_flags: FLAGS.filter((_, i) => unit(user, 40 + i) < 0.5),
      $feature_flag_payloads: {},
      token: 'phc_hanzo_web_2f8a9c41d7e3b5a0',
    };
  }

  #pageview(user: number, ts: number): Record<string, unknown> {
    const page = this.#pick(PAGES);
    const referrer = this.#pick(REFERRERS);
    const utm = this.#pick(UTM);
    return {
      ...this.#browserContext(user, ts),
      $current_url: `https://hanzo.ai${page}${utm === undefined ? '' : `?utm_source=${utm[0]}`}`,
      $host: 'hanzo.ai',
      $pathname: page,
      $referrer: referrer,
      $referring_domain: referringDomain(referrer),
      $pageview_id: `0193${hex8(Math.floor(this.#rand() * 4294967296))}`,
      title: `Hanzo AI | ${page === '/' ? 'Home' : page.slice(1)}`,
      ...(utm === undefined
        ? {}
        : { utm_source: utm[0], utm_medium: utm[1], utm_campaign: utm[2] }),
    };
  }

  #custom(user: number, ts: number): Record<string, unknown> {
    return {
      ...this.#browserContext(user, ts),
      $current_url: `https://hanzo.ai${this.#pick(PAGES)}`,
      $host: 'hanzo.ai',
      plan: this.#pick(PLANS),
      element_text: this.#pick(['Get started', 'Create key', 'Upgrade', 'Run']),
      value: Math.round(this.#rand() * 10_000) / 100,
    };
  }

  #llmRequest(
    base: Omit<BenchEvent, 'event' | 'properties'>,
    user: number,
    team: number,
    ts: number,
  ): BenchEvent {
    const llm: LlmModel =
      this.#rand() < MIX.unpricedModel ? UNPRICED_MODEL : this.#pick(PRICED_MODELS);
    const org = `org_${hex8(hash32(team, 51))}`;
    const prompt = 50 + Math.floor(this.#rand() ** 2 * 12_000);
    const completion = 10 + Math.floor(this.#rand() ** 2 * 2_000);
    const withContent = this.#rand() < MIX.promptContent;
    const properties: Record<string, unknown> = {
      $ip: this.#ip(user),
      $user_agent: this.#pick(SDK_USER_AGENTS),
      $lib: 'hanzo-sdk-node',
      $lib_version: '2.4.1',
      $ai_trace_id: this.#uuid(),
      $ai_span_id: this.#uuid(),
      $ai_base_url: llm.baseUrl,
      $ai_http_status: this.#rand() < 0.98 ? 200 : 429,
      $ai_latency: Math.round((0.15 + this.#rand() ** 2 * 9) * 1000) / 1000,
      $ai_model_parameters: {
        temperature: this.#pick([0.7, 0, 1, 0.2]),
        max_tokens: this.#pick([1024, 4096, 512]),
        stream: this.#rand() < 0.6,
      },
      environment: 'production',
      feature: this.#pick(FEATURES),
      $time: ts / 1000,
    };
    if (withContent) {
      properties['$ai_input'] = [
        { role: 'system', content: 'You are a concise, careful assistant for Hanzo AI users.' },
        { role: 'user', content: this.#pick(PROMPTS) },
      ];
      properties['$ai_output_choices'] = [
        { role: 'assistant', content: 'Here is a first draft; tell me what to change.' },
      ];
    }
    return {
      ...base,
      event: '$llm_request',
      model: llm.model,
      provider: llm.provider,
      tokens_prompt: prompt,
      tokens_completion: completion,
      organization_id: org,
      project_id: `${org}_proj_${this.#skewed(6)}`,
      api_key_id: `key_${hex8(hash32(team * 64 + this.#skewed(64), 52))}`,
      properties,
    };
  }
}
