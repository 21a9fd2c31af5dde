/**
 * The queries that must return data for an alert expression to be meaningful.
 *
 * An alert's condition is false on a healthy system, so the expression itself returns
 * nothing by design. What must hold is that everything it looks at exists, under the names
 * and labels it uses. The rule, applied to every alert:
 * - the expression is split at its top-level set operators (`and`, `or`, `unless`,
 *   with their `on (...)`/`ignoring (...)` matching), and each operand is checked alone;
 * - every comparison (`>`, `==`, ...) gets PromQL's `bool` modifier, which keeps each
 *   series (with value 0 or 1) instead of filtering it out;
 * - `absent(x)` is replaced by `x`.
 * An expression that already returns data is fine as it is.
 */
export function dataQueries(expr: string): string[] {
  const tokens = tokenize(expr);
  const operands: Token[][] = [[]];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'open') depth++;
    if (t.kind === 'close') depth--;
    if (depth === 0 && t.kind === 'ident' && SET_OPERATORS.has(t.text)) {
      operands.push([]);
      i = skipVectorMatching(tokens, i + 1) - 1;
      continue;
    }
    operands.at(-1)!.push(t);
  }
  return operands.map((operand) => unwrapAbsent(withBool(operand)).trim());
}

type TokenKind = 'space' | 'ident' | 'open' | 'close' | 'compare' | 'atom' | 'other';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

const SET_OPERATORS = new Set(['and', 'or', 'unless']);
const COMPARISONS = ['==', '!=', '>=', '<=', '>', '<'];

function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    const rest = expr.slice(i);
    let m: RegExpMatchArray | null;
    if ((m = rest.match(/^\s+/)) !== null) {
      out.push({ kind: 'space', text: ' ' });
      i += m[0].length;
    } else if (c === '{' || c === '[') {
      const end = closing(expr, i, c === '{' ? '}' : ']');
      out.push({ kind: 'atom', text: expr.slice(i, end + 1) });
      i = end + 1;
    } else if (c === '"' || c === "'" || c === '`') {
      const end = stringEnd(expr, i);
      out.push({ kind: 'atom', text: expr.slice(i, end + 1) });
      i = end + 1;
    } else if (c === '(' || c === ')') {
      out.push({ kind: c === '(' ? 'open' : 'close', text: c });
      i++;
    } else if ((m = rest.match(/^[A-Za-z_:][A-Za-z0-9_:]*/)) !== null) {
      out.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else {
      const op = COMPARISONS.find((o) => rest.startsWith(o));
      out.push({ kind: op === undefined ? 'other' : 'compare', text: op ?? c });
      i += op?.length ?? 1;
    }
  }
  return out;
}

/** Index of the bracket closing the one at `start`, skipping quoted strings. */
function closing(expr: string, start: number, close: string): number {
  for (let i = start + 1; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') i = stringEnd(expr, i);
    else if (c === close) return i;
  }
  throw new Error(`unbalanced ${expr[start]} in ${expr}`);
}

function stringEnd(expr: string, start: number): number {
  const quote = expr[start];
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++;
    else if (expr[i] === quote) return i;
  }
  throw new Error(`unterminated string in ${expr}`);
}

/** Skips `on (...)` / `ignoring (...)` after a set operator; returns the next index. */
function skipVectorMatching(tokens: readonly Token[], from: number): number {
  let i = from;
  while (tokens[i]?.kind === 'space') i++;
  const t = tokens[i];
  if (t?.kind !== 'ident' || (t.text !== 'on' && t.text !== 'ignoring')) return from;
  i++;
  while (tokens[i]?.kind === 'space') i++;
  if (tokens[i]?.kind !== 'open') return from;
  while (i < tokens.length && tokens[i]?.kind !== 'close') i++;
  return i + 1;
}

function withBool(tokens: readonly Token[]): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    out += tokens[i]!.text;
    if (tokens[i]!.kind !== 'compare') continue;
    let j = i + 1;
    while (tokens[j]?.kind === 'space') j++;
    if (!(tokens[j]?.kind === 'ident' && tokens[j]?.text === 'bool')) out += ' bool';
  }
  return out;
}

function unwrapAbsent(operand: string): string {
  const m = operand.trim().match(/^absent\s*\(([\s\S]*)\)$/);
  return m?.[1] ?? operand;
}
