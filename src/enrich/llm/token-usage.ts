/**
 * Token counts as providers report them, normalised to one convention before pricing:
 * genai-prices' — `inputTotal` includes cache reads and writes, `outputTotal` includes
 * reasoning — so each part is priced once.
 */

/**
 * How an API reports usage:
 * - `inclusive`: prompt tokens include cached tokens, completion tokens include reasoning
 *   (OpenAI and the OpenAI-compatible APIs: Azure OpenAI, OpenRouter and other aggregators…).
 * - `separate-cache`: prompt tokens exclude cache reads and writes, which come separately;
 *   completion includes thinking (Anthropic, AWS Bedrock Converse).
 * - `separate-reasoning`: prompt tokens include cached tokens; thinking tokens are reported
 *   beside the completion, not in it (Google Gemini / Vertex AI).
 */
export const USAGE_CONVENTIONS = ['inclusive', 'separate-cache', 'separate-reasoning'] as const;
export type UsageConvention = (typeof USAGE_CONVENTIONS)[number];

/** What an event carries (all non-negative integers; 0 when absent). */
export interface ReportedUsage {
  readonly prompt: number;
  readonly completion: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly reasoning: number;
}

/** genai-prices' convention: totals include their parts. */
export interface TokenUsage {
  readonly inputTotal: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly outputTotal: number;
  readonly reasoning: number;
}

/**
 * The convention of a provider's usage reports, from the pricing provider that matched.
 * Claude served by Bedrock, Vertex or Azure keeps Anthropic's shape; aggregators re-report
 * everything in OpenAI's.
 */
export function conventionOf(providerId: string, modelId: string): UsageConvention {
  switch (providerId) {
    case 'anthropic':
    case 'aws':
      return 'separate-cache';
    case 'google':
      return modelId.includes('claude') ? 'separate-cache' : 'separate-reasoning';
    case 'azure':
      return modelId.includes('claude') ? 'separate-cache' : 'inclusive';
    default:
      return 'inclusive';
  }
}

/**
 * Reported counts → totals with parts. Parts that cannot fit their total (a cache count
 * above the prompt count of an inclusive report) are clamped, never priced twice.
 */
export function normalizeUsage(reported: ReportedUsage, convention: UsageConvention): TokenUsage {
  const { prompt, completion, cacheRead, cacheWrite, reasoning } = reported;
  switch (convention) {
    case 'separate-cache':
      return {
        inputTotal: prompt + cacheRead + cacheWrite,
        cacheRead,
        cacheWrite,
        outputTotal: completion,
        reasoning: Math.min(reasoning, completion),
      };
    case 'separate-reasoning': {
      const read = Math.min(cacheRead, prompt);
      return {
        inputTotal: prompt,
        cacheRead: read,
        cacheWrite: Math.min(cacheWrite, prompt - read),
        outputTotal: completion + reasoning,
        reasoning,
      };
    }
    case 'inclusive': {
      const read = Math.min(cacheRead, prompt);
      return {
        inputTotal: prompt,
        cacheRead: read,
        cacheWrite: Math.min(cacheWrite, prompt - read),
        outputTotal: completion,
        reasoning: Math.min(reasoning, completion),
      };
    }
  }
}
