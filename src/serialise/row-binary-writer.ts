import type { EventRow } from '../decode/event-row.ts';
import { EVENT_COLUMNS } from './event-columns.ts';

/** Rows up to this size are written in the reused buffer; a larger one gets its own. */
const SCRATCH_BYTES = 64 * 1024;
/** Strings this short are copied by a loop while ASCII (cheaper than a call into C++). */
const SHORT_STRING = 32;
/** Every column that is not a string, at its widest (UUID 16, integers 8, …): 16 each, at most. */
const FIXED_COLUMNS_BYTES = 16 * EVENT_COLUMNS.length;
const TWO_32 = 2 ** 32;
const MS_PER_DAY = 86_400_000;
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** A value the row's column type cannot hold: the message is dead-lettered, not the batch. */
export class RowValueError extends Error {
  readonly column: string;
  /** The value is a string with a lone surrogate: no UTF-8 (or ClickHouse) can carry it. */
  readonly notWellFormed: boolean;

  constructor(column: string, detail: string, notWellFormed = false) {
    super(`${column} ${detail}`);
    this.name = 'RowValueError';
    this.column = column;
    this.notWellFormed = notWellFormed;
  }

  /** `s` must be well-formed UTF-16 to be written as UTF-8 (both formats check it). */
  static assertWellFormed(column: string, s: string): void {
    if (!s.isWellFormed()) {
      throw new RowValueError(
        column,
        'holds a lone UTF-16 surrogate, which UTF-8 cannot carry',
        true,
      );
    }
  }
}

const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[65 + c] = HEX[97 + c] = 10 + c;
/** Where the 32 hex digits of a canonical UUID start. */
const UUID_DIGITS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/**
 * Writes an EventRow as one RowBinary row (columns in EVENT_COLUMNS order, types of
 * row-binary-types.ts): strings as LEB128 length + UTF-8, integers little-endian, UUIDs as
 * ClickHouse stores them (each half little-endian), DateTime64(3) and Decimal64(8) as scaled
 * Int64. ClickHouse reads this with no parsing or escaping: about 37 % less of its CPU per row
 * than JSON text (BENCHMARKS.md). The bytes returned are only valid until the next call: the
 * batch copies them at once (batch/row-lines.ts).
 */
export class RowBinaryWriter {
  readonly #scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  #buf = this.#scratch;
  #pos = 0;
  #cachedDayKey = -1;
  #cachedDayMs = 0;

  write(row: EventRow): Buffer {
    this.#buf = this.#scratch;
    this.#pos = 0;
    // EVENT_COLUMNS' order, one call per column (row-binary-types.ts gives each type; the
    // round-trip and ClickHouse tests read the rows back in that order).
    this.#uuid('uuid', row.uuid);
    this.#uint64('team_id', row.team_id);
    this.#string('distinct_id', row.distinct_id);
    this.#string('session_id', row.session_id);
    this.#string('event', row.event);
    this.#int53(this.#dateTime64Ms('timestamp', row.timestamp));
    this.#string('properties', row.properties);
    this.#string('url', row.url);
    this.#string('referrer', row.referrer);
    this.#string('host', row.host);
    this.#string('pathname', row.pathname);
    this.#string('browser', row.browser);
    this.#string('browser_version', row.browser_version);
    this.#string('os', row.os);
    this.#string('os_version', row.os_version);
    this.#string('device_type', row.device_type);
    this.#fixedString2('country_code', row.country_code);
    this.#string('city', row.city);
    this.#string('region', row.region);
    this.#string('utm_source', row.utm_source);
    this.#string('utm_medium', row.utm_medium);
    this.#string('utm_campaign', row.utm_campaign);
    this.#string('model', row.model);
    this.#string('provider', row.provider);
    this.#uint32('tokens_prompt', row.tokens_prompt, 0xffffffff, 4);
    this.#uint32('tokens_completion', row.tokens_completion, 0xffffffff, 4);
    this.#decimal8('cost_usd', row.cost_usd);
    this.#string('cost_source', row.cost_source);
    this.#string('organization_id', row.organization_id);
    this.#string('project_id', row.project_id);
    this.#string('api_key_id', row.api_key_id);
    this.#uint32('retention_months', row.retention_months, 0xffff, 2);
    this.#string('_topic', row._topic);
    this.#uint32('_partition', row._partition, 0xffff, 2);
    this.#uint64('_offset', row._offset);
    this.#int53(this.#dateTime64Ms('_ingested_at', row._ingested_at));
    return this.#buf.subarray(0, this.#pos);
  }

  /**
   * Room for `bytes` more and every fixed-size column after them: the reused buffer, or a
   * larger one (the row written so far copied over) for a rare long string.
   */
  #reserve(bytes: number): void {
    const needed = this.#pos + bytes + FIXED_COLUMNS_BYTES;
    if (needed <= this.#buf.length) return;
    const larger = Buffer.allocUnsafe(Math.max(needed, 2 * this.#buf.length));
    this.#buf.copy(larger, 0, 0, this.#pos);
    this.#buf = larger;
  }

  #string(column: string, s: string): void {
    const n = s.length;
    if (this.#pos + 1 + SHORT_STRING + FIXED_COLUMNS_BYTES > this.#buf.length) {
      this.#reserve(1 + n * 3);
    }
    const buf = this.#buf;
    if (n < SHORT_STRING) {
      let p = this.#pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[this.#pos] = n;
        this.#pos = p;
        return;
      }
    }
    RowValueError.assertWellFormed(column, s);
    // Written after room for the longest prefix its length could need, then moved up if
    // the real length's prefix is shorter (rare: 3 bytes per unit is the worst case).
    this.#reserve(5 + n * 3);
    const reserve = varUIntSize(n * 3);
    const out = this.#buf;
    const written = out.write(s, this.#pos + reserve, 'utf8');
    const size = varUIntSize(written);
    const start = this.#pos + reserve;
    if (size < reserve) out.copyWithin(this.#pos + size, start, start + written);
    this.#pos = writeVarUInt(out, this.#pos, written) + written;
  }

  #uuid(column: string, s: string): void {
    if (s.length !== 36 || s[8] !== '-' || s[13] !== '-' || s[18] !== '-' || s[23] !== '-') {
      throw new RowValueError(column, `is not a UUID: ${JSON.stringify(s)}`);
    }
    const buf = this.#buf;
    const at = this.#pos;
    for (let b = 0; b < 16; b++) {
      const i = UUID_DIGITS[b]!;
      const hi = HEX[s.charCodeAt(i)] ?? -1;
      const lo = HEX[s.charCodeAt(i + 1)] ?? -1;
      if (hi < 0 || lo < 0) throw new RowValueError(column, `is not a UUID: ${JSON.stringify(s)}`);
      // Each 8-byte half little-endian: byte b of the text lands at 7 - b (or 23 - b).
      buf[at + (b < 8 ? 7 - b : 23 - b)] = (hi << 4) | lo;
    }
    this.#pos = at + 16;
  }

  #uint64(column: string, value: unknown): void {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      this.#int53(value);
      return;
    }
    if (typeof value === 'string' && /^\d{1,20}$/.test(value)) {
      const big = BigInt(value);
      if (big <= UINT64_MAX) {
        this.#pos = this.#buf.writeBigUInt64LE(big, this.#pos);
        return;
      }
    }
    throw new RowValueError(column, `is not a UInt64: ${JSON.stringify(value)}`);
  }

  #uint32(column: string, value: number, max: number, bytes: 2 | 4): void {
    if (!(Number.isInteger(value) && value >= 0 && value <= max)) {
      throw new RowValueError(column, `is not an integer from 0 to ${max}: ${value}`);
    }
    this.#pos =
      bytes === 4
        ? this.#buf.writeUInt32LE(value, this.#pos)
        : this.#buf.writeUInt16LE(value, this.#pos);
  }

  /** A non-negative integer below 2^53 (or a negative one) as Int64, little-endian. */
  #int53(value: number): void {
    if (value < 0) {
      this.#pos = this.#buf.writeBigInt64LE(BigInt(value), this.#pos);
      return;
    }
    const lo = value % TWO_32;
    this.#buf.writeUInt32LE(lo, this.#pos);
    this.#buf.writeUInt32LE((value - lo) / TWO_32, this.#pos + 4);
    this.#pos += 8;
  }

  /** `YYYY-MM-DD hh:mm:ss.sss` (UTC, as event-row.ts writes it) in epoch milliseconds. */
  #dateTime64Ms(column: string, s: string): number {
    const year = digits(s, 0, 4);
    const month = digits(s, 5, 2);
    const day = digits(s, 8, 2);
    const ms =
      digits(s, 11, 2) * 3_600_000 +
      digits(s, 14, 2) * 60_000 +
      digits(s, 17, 2) * 1000 +
      digits(s, 20, 3);
    if (
      s.length !== 23 ||
      s[4] !== '-' ||
      s[7] !== '-' ||
      s[10] !== ' ' ||
      s[13] !== ':' ||
      s[16] !== ':' ||
      s[19] !== '.' ||
      !(month >= 1 && month <= 12 && day >= 1 && day <= 31 && ms < MS_PER_DAY)
    ) {
      throw new RowValueError(column, `is not a DateTime64(3) text: ${JSON.stringify(s)}`);
    }
    const key = year * 10000 + month * 100 + day;
    if (key !== this.#cachedDayKey) {
      // setUTCFullYear, unlike Date.UTC, keeps years below 100 as they are.
      this.#cachedDayMs = new Date(0).setUTCFullYear(year, month - 1, day);
      this.#cachedDayKey = key;
    }
    return this.#cachedDayMs + ms;
  }

  /** Decimal64(8): the decimal text scaled by 10^8, as Int64. */
  #decimal8(column: string, s: string): void {
    if (s === '0') {
      this.#int53(0);
      return;
    }
    const match = /^(-?)(\d+)(?:\.(\d{1,8}))?$/.exec(s);
    if (match === null) {
      throw new RowValueError(
        column,
        `is not a decimal with at most 8 decimals: ${JSON.stringify(s)}`,
      );
    }
    const digits = `${match[2]}${(match[3] ?? '').padEnd(8, '0')}`;
    if (digits.length <= 15) {
      const scaled = Number(digits);
      this.#int53(match[1] === '-' ? -scaled : scaled);
      return;
    }
    const scaled = BigInt(`${match[1]}${digits}`);
    if (scaled > INT64_MAX || scaled < -INT64_MAX - 1n) {
      throw new RowValueError(column, `is out of Decimal64(8)'s range: ${s}`);
    }
    this.#pos = this.#buf.writeBigInt64LE(scaled, this.#pos);
  }

  /** FixedString(2): the bytes, zero-padded, as ClickHouse pads a shorter text. */
  #fixedString2(column: string, s: string): void {
    const size = Buffer.byteLength(s, 'utf8');
    if (size > 2) throw new RowValueError(column, `is longer than 2 bytes: ${JSON.stringify(s)}`);
    this.#buf[this.#pos] = 0;
    this.#buf[this.#pos + 1] = 0;
    if (size > 0) this.#buf.write(s, this.#pos, 'utf8');
    this.#pos += 2;
  }
}

/** The decimal number in `count` digits of `s` from `from`; NaN if one is not a digit. */
function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

export function varUIntSize(n: number): number {
  let size = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 128)) size++;
  return size;
}

function writeVarUInt(buf: Buffer, at: number, n: number): number {
  let p = at;
  let v = n;
  while (v >= 0x80) {
    buf[p++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[p++] = v;
  return p;
}
