import { ENV_SETTINGS } from './env-settings.ts';
import type { Config } from './schema.ts';

const SECRET_PATHS = new Set(
  ENV_SETTINGS.filter((s) => s.secret === true).map((s) => s.path.join('.')),
);
const MASK = '********';

/** The effective configuration with every secret replaced by a mask (check-config). */
export function maskSecrets(config: Readonly<Config>): unknown {
  return mask(config, []);
}

function mask(value: unknown, path: string[]): unknown {
  if (SECRET_PATHS.has(path.join('.'))) return value === '' ? '' : MASK;
  if (Array.isArray(value)) return value.map((v, i) => mask(v, [...path, String(i)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, mask(v, [...path, k])] as const),
    );
  }
  // Any URL may carry credentials (CLICKHOUSE_URL, DECODE_SCHEMA_REGISTRY_URL with an API key).
  if (typeof value === 'string' && value.includes('@')) return maskUrlPassword(value);
  return value;
}

function maskUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = MASK;
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Markdown table of every environment variable, for docs/configuration.md. */
export function configReference(
  defaults: Readonly<Record<string, unknown>>,
  required: ReadonlySet<string> = new Set(),
): string {
  const lines = ['| Variable | Default | Meaning |', '|---|---|---|'];
  for (const s of ENV_SETTINGS) {
    const value = s.path.reduce<unknown>(
      (node, key) =>
        node !== null && typeof node === 'object'
          ? (node as Record<string, unknown>)[key]
          : undefined,
      defaults,
    );
    const shown = required.has(s.env)
      ? '**required**'
      : value === undefined
        ? ''
        : `\`${Array.isArray(value) ? value.join(',') : JSON.stringify(value)}\``;
    const name = s.fromFile === true ? `\`${s.env}\` / \`${s.env}_FILE\`` : `\`${s.env}\``;
    lines.push(`| ${name} | ${s.secret === true ? '' : shown} | ${s.doc} |`);
  }
  return lines.join('\n');
}
