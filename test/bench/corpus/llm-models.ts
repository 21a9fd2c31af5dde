/**
 * Models and providers of the corpus's `$llm_request` events, as ids that the bundled
 * pricing data of @pydantic/genai-prices knows (so pricing hits), most used first, plus
 * one self-hosted model that no public price list has (so the unknown-model path runs too).
 */
export interface LlmModel {
  readonly model: string;
  readonly provider: string;
  readonly baseUrl: string;
}

const OPENAI = 'https://api.openai.com/v1';
const ANTHROPIC = 'https://api.anthropic.com/v1';
const GOOGLE = 'https://generativelanguage.googleapis.com/v1beta';
const OPENROUTER = 'https://openrouter.ai/api/v1';

export const PRICED_MODELS: readonly LlmModel[] = [
  { model: 'gpt-4o-mini', provider: 'openai', baseUrl: OPENAI },
  { model: 'claude-sonnet-4-5', provider: 'anthropic', baseUrl: ANTHROPIC },
  { model: 'gpt-4o', provider: 'openai', baseUrl: OPENAI },
  { model: 'gemini-2.5-flash', provider: 'google', baseUrl: GOOGLE },
  { model: 'gpt-4.1-mini', provider: 'openai', baseUrl: OPENAI },
  { model: 'claude-haiku-4-5', provider: 'anthropic', baseUrl: ANTHROPIC },
  { model: 'gpt-5-mini', provider: 'openai', baseUrl: OPENAI },
  { model: 'gemini-2.5-pro', provider: 'google', baseUrl: GOOGLE },
  { model: 'gpt-5', provider: 'openai', baseUrl: OPENAI },
  { model: 'o3-mini', provider: 'openai', baseUrl: OPENAI },
  { model: 'deepseek-chat', provider: 'deepseek', baseUrl: 'https://api.deepseek.com' },
  { model: 'meta-llama/llama-3.3-70b-instruct', provider: 'openrouter', baseUrl: OPENROUTER },
  { model: 'anthropic/claude-sonnet-4', provider: 'openrouter', baseUrl: OPENROUTER },
  { model: 'mistral-large-latest', provider: 'mistral', baseUrl: 'https://api.mistral.ai/v1' },
  {
    model: 'llama-3.3-70b-versatile',
    provider: 'groq',
    baseUrl: 'https://api.groq.com/openai/v1',
  },
  { model: 'claude-opus-4-1', provider: 'anthropic', baseUrl: ANTHROPIC },
  { model: 'text-embedding-3-small', provider: 'openai', baseUrl: OPENAI },
];

/** Not in any public price list: cost 0 and the unknown-model marker. */
export const UNPRICED_MODEL: LlmModel = {
  model: 'zen-coder-34b',
  provider: 'hanzo',
  baseUrl: 'https://llm.hanzo.internal/v1',
};
