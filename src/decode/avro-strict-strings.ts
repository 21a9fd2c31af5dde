import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';

/** An Avro string (or map key) whose bytes are not UTF-8. */
export class InvalidAvroUtf8 extends Error {
  override readonly name = 'InvalidAvroUtf8';
}

/** What avsc's reading position offers (lib/utils.js Tap), as used here. */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  _invalidate(): void;
}

let installed = false;

/**
 * avsc reads Avro strings with `utf8Slice`, which replaces invalid UTF-8 with U+FFFD: an
 * event's strings would be stored changed, where a JSON event with the same bytes is an
 * `invalid_utf8` dead letter. Its string reader is replaced (once per process) by the same
 * reader that checks the bytes first and throws InvalidAvroUtf8 (decode-message.ts turns
 * it into that dead letter). Strings and map keys both go through it.
 */
export function readAvroStringsStrictly(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const { Tap } = require('avsc/lib/utils.js') as { Tap: { prototype: { readString(): unknown } } };
  Tap.prototype.readString = function readStrictString(this: Tap): string | undefined {
    const len = this.readLong();
    if (len < 0) {
      this._invalidate();
      return '';
    }
    const { pos, buf } = this;
    this.pos += len;
    // Past the end: avsc reports a truncated buffer itself.
    if (this.pos > buf.length) return undefined;
    if (!isUtf8(buf.subarray(pos, pos + len))) {
      throw new InvalidAvroUtf8(`an Avro string of ${len} bytes at byte ${pos} is not valid UTF-8`);
    }
    return buf.toString('utf8', pos, pos + len);
  };
}
