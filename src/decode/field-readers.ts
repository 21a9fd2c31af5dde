/**
 * Small typed readers for the fields of a raw event. Each returns the value or a
 * `FieldProblem` naming the field; normalize-event.ts turns problems into dead letters.
 */
export class FieldProblem {
  readonly field: string;
  readonly missing: boolean;
  readonly detail: string;

  constructor(field: string, detail: string, missing = false) {
    this.field = field;
    this.detail = detail;
    this.missing = missing;
  }
}

const UINT32_MAX = 4_294_967_295;
const UINT64_MAX = 18_446_744_073_709_551_615n;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL_RE = /^\d{1,10}(\.\d{1,8})?$/;

export type Raw = Readonly<Record<string, unknown>>;

export function requiredString(raw: Raw, field: string): string | FieldProblem {
  const value = raw[field];
  if (value === undefined || value === null || value === '')
    return new FieldProblem(field, 'is required', true);
  if (typeof value === 'string') return value;
  return new FieldProblem(field, `must be a string, got ${typeName(value)}`);
}

/** Identifiers that producers sometimes send as numbers (distinct_id, org ids). */
export function requiredId(raw: Raw, field: string): string | FieldProblem {
  const value = raw[field];
  if (typeof value === 'number' && Number.isFinite(value)) return numberText(field, value);
  return requiredString(raw, field);
}

export function optionalString(raw: Raw, field: string): string | FieldProblem {
  const value = raw[field];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return numberText(field, value);
  return new FieldProblem(field, `must be a string, got ${typeName(value)}`);
}

/** Problem text of an integer beyond 2^53 where a string is stored (the Kafka-engine SQL's too). */
export const UNSAFE_INTEGER_DETAIL =
  'is an integer beyond 2^53, which a JSON number does not carry exactly: send it as a string';

/**
 * A number where text is stored, as JavaScript prints it. An integer beyond 2^53 is not the
 * one sent (12345678901234567890 and …891 both read 12345678901234567000: two users would
 * become one): a problem, never a silently different id.
 */
function numberText(field: string, value: number): string | FieldProblem {
  if (Number.isInteger(value) && !Number.isSafeInteger(value))
    return new FieldProblem(field, UNSAFE_INTEGER_DETAIL);
  return String(value);
}

export function requiredUInt64(raw: Raw, field: string): number | string | FieldProblem {
  const value = raw[field];
  if (value === undefined || value === null) return new FieldProblem(field, 'is required', true);
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    return new FieldProblem(field, `must be a non-negative integer, got ${value}`);
  }
  if (typeof value === 'string' && /^\d{1,20}$/.test(value) && BigInt(value) <= UINT64_MAX)
    return value;
  if (typeof value === 'bigint' && value >= 0n && value <= UINT64_MAX) return value.toString();
  return new FieldProblem(field, `must be a non-negative integer, got ${typeName(value)}`);
}

export function optionalUInt32(raw: Raw, field: string): number | FieldProblem {
  const value = raw[field];
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= UINT32_MAX) return n;
  return new FieldProblem(
    field,
    `must be an integer from 0 to ${UINT32_MAX}, got ${describe(value)}`,
  );
}

/** Decimal64(8) amount as canonical decimal text. */
export function optionalDecimal(raw: Raw, field: string): string | FieldProblem {
  const value = raw[field];
  if (value === undefined || value === null) return '0';
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1e10) {
    return formatDecimal8(value);
  }
  if (typeof value === 'string' && DECIMAL_RE.test(value)) return value;
  return new FieldProblem(
    field,
    `must be a non-negative decimal below 1e10, got ${describe(value)}`,
  );
}

export function formatDecimal8(value: number): string {
  return value.toFixed(8).replace(/\.?0+$/, '') || '0';
}

export function optionalUuid(raw: Raw, field: string): string | FieldProblem | undefined {
  const value = raw[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && UUID_RE.test(value)) return value.toLowerCase();
  return new FieldProblem(field, `must be a UUID, got ${describe(value)}`);
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeName(value);
}
