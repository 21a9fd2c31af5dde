/** The words of the corpus's web and product events: pages, referrers, campaigns, flags. */
export const PAGES = [
  '/',
  '/pricing',
  '/docs',
  '/docs/quickstart',
  '/dashboard',
  '/chat',
  '/docs/api/chat-completions',
  '/settings/billing',
  '/blog/clickhouse-at-hanzo',
  '/signup',
  '/login',
  '/models',
  '/playground',
  '/docs/sdks/python',
  '/changelog',
];
export const REFERRERS = [
  '$direct',
  'https://www.google.com/',
  'https://news.ycombinator.com/',
  'https://x.com/',
  'https://github.com/hanzoai',
  'https://www.reddit.com/r/LocalLLaMA/',
  'https://duckduckgo.com/',
];
export const referringDomain = (referrer: string): string =>
  referrer === '$direct' ? '$direct' : (/^https?:\/\/([^/]+)/.exec(referrer)?.[1] ?? '');
export const CUSTOM_EVENTS = [
  'button_clicked',
  'feature_flag_called',
  'api_key_created',
  'signup',
  'onboarding_step_completed',
  'model_selected',
  'subscription_started',
  'invoice_paid',
];
export const UTM: readonly (readonly [string, string, string] | undefined)[] = [
  undefined,
  undefined,
  undefined,
  ['google', 'cpc', 'brand-search'],
  ['newsletter', 'email', 'dec-launch'],
  ['x', 'social', 'launch-week'],
  ['hn', 'referral', 'show-hn'],
];
export const FLAGS = [
  'new-onboarding',
  'chat-v2',
  'usage-based-billing',
  'model-router',
  'dark-mode',
];
export const PLANS = ['free', 'pro', 'team', 'enterprise'];
export const FEATURES = ['chat', 'code-review', 'summarise', 'embeddings', 'agent'];
export const PROMPTS = [
  'Summarise the following support ticket in two sentences and suggest a priority.',
  'Write a SQL query that returns daily active users for the last 30 days from the events table.',
  'Translate this product description into German, keeping the tone informal.',
  'Review this pull request diff and list any bugs or risky changes you see.',
];
