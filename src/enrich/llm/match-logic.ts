import type { MatchLogic } from '@pydantic/genai-prices';

export type { MatchLogic } from '@pydantic/genai-prices';

/**
 * A compiled genai-prices match rule. Same semantics as the library: the text is the
 * lower-cased, trimmed model (or provider) id; `equals`, `starts_with`, `ends_with` and
 * `contains` compare case-insensitively, `regex` runs as written.
 */
export type Matcher = (text: string) => boolean;

export function compileMatch(logic: MatchLogic): Matcher {
  if ('or' in logic) {
    const parts = logic.or.map(compileMatch);
    return (text) => parts.some((part) => part(text));
  }
  if ('and' in logic) {
    const parts = logic.and.map(compileMatch);
    return (text) => parts.every((part) => part(text));
  }
  if ('equals' in logic) {
    const value = logic.equals.toLowerCase();
    return (text) => text === value;
  }
  if ('starts_with' in logic) {
    const value = logic.starts_with.toLowerCase();
    return (text) => text.startsWith(value);
  }
  if ('ends_with' in logic) {
    const value = logic.ends_with.toLowerCase();
    return (text) => text.endsWith(value);
  }
  if ('contains' in logic) {
    const value = logic.contains.toLowerCase();
    return (text) => text.includes(value);
  }
  const pattern = new RegExp(logic.regex);
  return (text) => pattern.test(text);
}

/**
 * The model ids a rule accepts when it is made only of `equals` (possibly under `or`):
 * those can be dictionary keys. Undefined when any other kind of rule is involved.
 */
export function exactIds(logic: MatchLogic): string[] | undefined {
  if ('equals' in logic) return [logic.equals.toLowerCase()];
  if ('or' in logic) {
    const ids: string[] = [];
    for (const part of logic.or) {
      const sub = exactIds(part);
      if (sub === undefined) return undefined;
      ids.push(...sub);
    }
    return ids;
  }
  return undefined;
}
