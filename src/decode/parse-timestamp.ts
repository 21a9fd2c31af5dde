import { FieldProblem, typeName } from './field-readers.ts';

/** Latest instant DateTime64(3) can hold: 2299-12-31 23:59:59.999 UTC. */
export const DATETIME64_MAX_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

export type TimestampProblem = FieldProblem & {
  kind: 'future' | 'before_1970' | 'out_of_range' | 'invalid';
};

/**
 * Accepts ISO 8601 (with or without zone: no zone means UTC), 'YYYY-MM-DD hh:mm:ss[.fff]',
 * or epoch milliseconds as a number. Returns epoch ms or a problem; never clamps.
 */
export function parseTimestamp(
  value: unknown,
  nowMs: number,
  maxFutureSkewMs: number,
): number | TimestampProblem {
  let ms: number;
  if (value === undefined || value === null || value === '') {
    return problem('is required', 'invalid', true);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value))
      return problem(`must be a finite epoch-ms number, got ${value}`, 'invalid');
    ms = Math.trunc(value);
  } else if (typeof value === 'string') {
    ms = parseTimestampText(value);
    if (Number.isNaN(ms))
      return problem(`is not a timestamp: ${JSON.stringify(value.slice(0, 64))}`, 'invalid');
  } else {
    return problem(`must be a string or epoch-ms number, got ${typeName(value)}`, 'invalid');
  }
  if (ms < 0) {
    // Below Date's range (±8.64e15 ms) toISOString throws: print the number instead.
    const when = ms >= -8.64e15 ? new Date(ms).toISOString() : String(ms);
    return problem(`is before 1970: ${when}`, 'before_1970');
  }
  if (ms > DATETIME64_MAX_MS)
    return problem(`is beyond DateTime64 range (2299-12-31): ${ms}`, 'out_of_range');
  if (ms > nowMs + maxFutureSkewMs) {
    return problem(
      `is ${Math.round((ms - nowMs) / 1000)} s in the future (allowed: ${Math.round(maxFutureSkewMs / 1000)} s): ${new Date(ms).toISOString()}`,
      'future',
    );
  }
  return ms;
}

function parseTimestampText(text: string): number {
  const trimmed = text.trim();
  // 'YYYY-MM-DD hh:mm:ss' (ClickHouse style) → ISO; a missing zone means UTC.
  let iso = /^\d{4}-\d{2}-\d{2} \d/.test(trimmed) ? trimmed.replace(' ', 'T') : trimmed;
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += 'Z';
  if (!/^[+-]?\d{4,6}-\d{2}-\d{2}/.test(iso)) return Number.NaN;
  return Date.parse(iso);
}

function problem(
  detail: string,
  kind: TimestampProblem['kind'],
  missing = false,
): TimestampProblem {
  return Object.assign(new FieldProblem('timestamp', detail, missing), { kind });
}
