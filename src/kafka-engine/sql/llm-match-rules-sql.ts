import type { MatchRule, MatchRules } from '../pricing/pricing-tables.ts';
import type { Conjunction } from '../pricing/match-rules.ts';
import { sqlString, sqlStringArray } from '../sql-literal.ts';

/**
 * genai-prices' match rules as SQL conditions over the normalised names (p_llm_m, p_llm_p):
 * constant conditions rendered into the pricing view, evaluated per block.
 */

/** A rule's condition on `subject` (a lower-cased name), as the library evaluates it. */
function conditionSql(conjunction: Conjunction, subject: string): string {
  return conjunction
    .map((p) => {
      const arg = sqlString(p.arg);
      const test =
        p.kind === 'equals'
          ? `${subject} = ${arg}`
          : p.kind === 'starts_with'
            ? `startsWith(${subject}, ${arg})`
            : p.kind === 'ends_with'
              ? `endsWith(${subject}, ${arg})`
              : p.kind === 'contains'
                ? `position(${subject}, ${arg}) > 0`
                : `match(${subject}, ${arg})`;
      return p.negate ? `NOT ${test}` : test;
    })
    .join(' AND ');
}

/** The provider id of an event: by id, provider_match, or (no provider given) model_match. */
export function providerSql(rules: MatchRules): string {
  const branches = [
    `p_llm_p = ''`,
    rules.modelMatch.length === 0
      ? "''"
      : `multiIf(${rules.modelMatch.map((r) => `${conditionSql(r.conjunction, 'p_llm_m')}, ${sqlString(r.owner)}`).join(', ')}, '')`,
    `has(${sqlStringArray(rules.providerIds)}, p_llm_p)`,
    'p_llm_p',
    ...rules.providerMatch.flatMap((r) => [
      conditionSql(r.conjunction, 'p_llm_p'),
      sqlString(r.owner),
    ]),
  ];
  return `multiIf(${branches.join(', ')}, '')`;
}

/**
 * The first model rule of the provider that matches `subject`, as (owner, model id,
 * convention): grouped by provider, so a row only meets its own provider's rules.
 */
export function modelRulesSql(rules: MatchRules, subject: string, noHit: string): string {
  const byScope = new Map<string, MatchRule[]>();
  for (const rule of rules.models) {
    const list = byScope.get(rule.scope) ?? [];
    list.push(rule);
    byScope.set(rule.scope, list);
  }
  const branches = [...byScope].flatMap(([scope, list]) => [
    `p_llm_pid = ${sqlString(scope)}`,
    `multiIf(${list
      .map(
        (r) =>
          `${conditionSql(r.conjunction, subject)}, (${sqlString(r.owner)}, ${sqlString(r.model)}, toUInt8(${r.convention}))`,
      )
      .join(', ')}, ${noHit})`,
  ]);
  return branches.length === 0 ? noHit : `multiIf(${branches.join(', ')}, ${noHit})`;
}
