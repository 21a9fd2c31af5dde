/**
 * Exact decimal amounts as scaled BigInts: `value × 10^scale`. Prices from the pricing data
 * are JavaScript numbers; their shortest decimal text (what `String(n)` prints, i.e. what
 * the data's author wrote) is taken as the exact value, so no binary float ever enters a
 * sum. Rounding is half-up, and only where a result is narrowed to a coarser scale.
 */

const DECIMAL_TEXT = /^(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;
const POWERS: bigint[] = [];

export function pow10(exponent: number): bigint {
  let cached = POWERS[exponent];
  if (cached === undefined) {
    cached = 10n ** BigInt(exponent);
    POWERS[exponent] = cached;
  }
  return cached;
}

/**
 * A non-negative number or decimal text as an integer count of 10^-scale units
 * (half-up beyond `scale` digits), or undefined when it is not a finite non-negative decimal.
 */
export function toScaled(value: number | string, scale: number): bigint | undefined {
  if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) return undefined;
  const match = DECIMAL_TEXT.exec(typeof value === 'number' ? String(value) : value.trim());
  if (match === null) return undefined;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const exponent = Number(match[3] ?? '0');
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) return undefined;
  // digits × 10^(exponent − fraction.length) × 10^scale
  const digits = BigInt(whole + fraction);
  const shift = exponent - fraction.length + scale;
  if (shift >= 0) return digits * pow10(shift);
  return divideHalfUp(digits, pow10(-shift));
}

/** `value / divisor` rounded half-up (both non-negative). */
export function divideHalfUp(value: bigint, divisor: bigint): bigint {
  return (value + divisor / 2n) / divisor;
}

/** Narrows a scaled amount to a coarser scale, half-up. */
export function rescale(value: bigint, fromScale: number, toScale: number): bigint {
  if (toScale >= fromScale) return value * pow10(toScale - fromScale);
  return divideHalfUp(value, pow10(fromScale - toScale));
}

/** Canonical decimal text of a scaled amount: no trailing zeros, '0' for zero. */
export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  const text = fraction === '' ? whole : `${whole}.${fraction}`;
  return negative ? `-${text}` : text;
}
