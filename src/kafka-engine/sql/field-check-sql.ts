import { sqlString } from '../sql-literal.ts';

/**
 * A reader's check: a (class, message) tuple naming the first problem, ('', '') when fine —
 * the dead-letter class and text the worker would give.
 */

export const NO_PROBLEM = "('', '')";

/** A check: the first condition that holds names the problem. */
export function check(
  cases: readonly (readonly [cond: string, cls: string, message: string])[],
): string {
  if (cases.length === 0) return NO_PROBLEM;
  const parts = cases.flatMap(([cond, cls, message]) => [cond, `(${sqlString(cls)}, ${message})`]);
  return `multiIf(${parts.join(', ')}, ${NO_PROBLEM})`;
}

/** A message literal joined with SQL string expressions: msg('team_id must …, got ', expr). */
export function msg(...parts: readonly string[]): string {
  return parts.length === 1 ? (parts[0] ?? "''") : `concat(${parts.join(', ')})`;
}

export function lit(text: string): string {
  return sqlString(text);
}
