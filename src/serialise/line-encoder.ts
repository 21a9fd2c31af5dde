/** A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;

/** Lines up to a third of this many UTF-16 units are encoded in the reused buffer. */
const SCRATCH_BYTES = 64 * 1024;

/**
 * Encodes row lines to UTF-8 in one reused buffer, so that a row's exact size is known
 * before the batch takes it (the caps and the memory budget count bytes) without a second
 * pass over the string. The bytes returned are only valid until the next call. A rare
 * larger line gets a buffer of its own, so the scratch never grows.
 */
export class LineEncoder {
  readonly #scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);

  encode(line: string): Buffer {
    if (line.length * MAX_UTF8_PER_UNIT > SCRATCH_BYTES) return Buffer.from(line, 'utf8');
    return this.#scratch.subarray(0, this.#scratch.write(line, 0));
  }
}
