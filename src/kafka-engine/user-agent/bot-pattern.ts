import { list } from 'isbot';

/**
 * isbot's patterns (the worker's bot test) as one RE2 pattern for ClickHouse's match().
 * RE2 has no look-around: the few patterns with one (`(?<! cu)bots?`, `java(?!;)`…) lose it,
 * so they match a little more than isbot does.
 */
export function botPattern(): string {
  const lookAround = /\(\?<?[!=](?:[^()]|\([^()]*\))*\)/g;
  return `(?i)(?:${list.map((p) => p.replace(lookAround, '')).join('|')})`;
}
