import type { MatchLogic } from '@pydantic/genai-prices';

/**
 * genai-prices match rules in a form SQL can evaluate row by row: a rule is a conjunction
 * of at most two primitives (each possibly negated); a model's `match` becomes a list of
 * rules, any of which matching is a match (disjunctive normal form). Arguments are
 * lower-cased like the library's comparisons; regexes are kept as written (the library runs
 * them on the lower-cased name) and must be RE2 syntax, except for the one lookahead form
 * the data uses, `^(?!.*X)`, which is "X does not match".
 */
export type PrimitiveKind = 'equals' | 'starts_with' | 'ends_with' | 'contains' | 'regex';

export interface Primitive {
  readonly kind: PrimitiveKind;
  readonly arg: string;
  readonly negate: boolean;
}

export type Conjunction = readonly Primitive[];

/** Rules SQL cannot evaluate; their models are matched by exact names only. */
export class InexpressibleRule extends Error {
  override readonly name = 'InexpressibleRule';
}

const MAX_PRIMITIVES = 2;
/** `^(?!X)REST`, X with at most one level of groups: "X does not match here" and REST. */
const LEADING_NEGATIVE_LOOKAHEAD = /^\^\(\?!((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*)\)(.*)$/s;
const NOT_RE2 = /\(\?[=!<]|\\[1-9]/;

/** The rule as a disjunction of conjunctions, or InexpressibleRule. */
export function toConjunctions(logic: MatchLogic): Conjunction[] {
  if ('or' in logic) return logic.or.flatMap(toConjunctions);
  if ('and' in logic) {
    let product: Conjunction[] = [[]];
    for (const part of logic.and) {
      const next: Conjunction[] = [];
      for (const left of product) {
        for (const right of toConjunctions(part)) next.push([...left, ...right]);
      }
      product = next;
    }
    for (const conjunction of product) {
      if (conjunction.length > MAX_PRIMITIVES) {
        throw new InexpressibleRule(
          `more than ${MAX_PRIMITIVES} conditions: ${JSON.stringify(logic)}`,
        );
      }
    }
    return product;
  }
  return [primitives(logic)];
}

function primitives(logic: MatchLogic): Primitive[] {
  if ('regex' in logic) return regexPrimitives(logic.regex);
  return [primitive(logic)];
}

function primitive(logic: MatchLogic): Primitive {
  if ('equals' in logic) return { kind: 'equals', arg: logic.equals.toLowerCase(), negate: false };
  if ('starts_with' in logic) {
    return { kind: 'starts_with', arg: logic.starts_with.toLowerCase(), negate: false };
  }
  if ('ends_with' in logic) {
    return { kind: 'ends_with', arg: logic.ends_with.toLowerCase(), negate: false };
  }
  if ('contains' in logic) {
    return { kind: 'contains', arg: logic.contains.toLowerCase(), negate: false };
  }
  throw new InexpressibleRule(`unknown match rule: ${JSON.stringify(logic)}`);
}

/**
 * RE2 has no lookaround. The data's only form, a leading `^(?!X)REST`, is split into
 * "`^(?:X)` does not match" and "`^(?:REST)` matches"; anything else needing lookaround
 * or backreferences cannot be evaluated in SQL.
 */
function regexPrimitives(regex: string): Primitive[] {
  const lookahead = LEADING_NEGATIVE_LOOKAHEAD.exec(regex);
  if (lookahead !== null) {
    const [, excluded = '', rest = ''] = lookahead;
    if (!NOT_RE2.test(excluded) && !NOT_RE2.test(rest)) {
      const parts: Primitive[] = [{ kind: 'regex', arg: `^(?:${excluded})`, negate: true }];
      if (rest !== '') parts.push({ kind: 'regex', arg: `^(?:${rest})`, negate: false });
      return parts;
    }
  }
  if (NOT_RE2.test(regex)) {
    throw new InexpressibleRule(`regex needs lookaround or backreferences: ${regex}`);
  }
  return [{ kind: 'regex', arg: regex, negate: false }];
}

/** A conjunction with a positive `equals` can only match that name (covered by exact names). */
export function isExactOnly(conjunction: Conjunction): boolean {
  return conjunction.some((p) => p.kind === 'equals' && !p.negate);
}
