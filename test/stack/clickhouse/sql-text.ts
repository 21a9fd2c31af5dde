/**
 * The few SQL texts this server writes itself: SET / restore statements for
 * per-request settings, query parameters, USE, and literals for them.
 */

/** A ClickHouse string literal; the engine unescapes it back to `value` exactly. */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** `SET name = literal`; names were validated as identifiers when parsed. */
export function setStatement(name: string, literal: string): string {
  return `SET ${name} = ${literal}`;
}

/**
 * Puts settings back to what the session started with: the engine default, or
 * the value chDB itself had changed at start-up (it changes a few).
 */
export function restoreStatement(
  names: Iterable<string>,
  baseline: ReadonlyMap<string, string>,
): string | undefined {
  const parts: string[] = [];
  for (const name of names) {
    const original = baseline.get(name);
    parts.push(`${name} = ${original === undefined ? 'DEFAULT' : quoteString(original)}`);
  }
  return parts.length === 0 ? undefined : `SET ${parts.join(', ')}`;
}

/**
 * `SET param_x = '…'` hands the engine each value in ClickHouse's escaped text
 * form exactly as the HTTP client sent it, which is how the real server binds
 * `{x:Type}` (chDB's own bind API re-escapes strings, so `it\'s` or `\N` would
 * not survive it).
 */
export function queryParamsStatement(params: ReadonlyMap<string, string>): string | undefined {
  const parts = [...params].map(([name, value]) => `param_${name} = ${quoteString(value)}`);
  return parts.length === 0 ? undefined : `SET ${parts.join(', ')}`;
}

export function useStatement(database: string): string {
  return `USE ${quoteIdentifier(database)}`;
}
