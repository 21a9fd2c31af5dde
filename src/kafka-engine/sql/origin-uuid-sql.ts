/** deterministic-uuid.ts: SHA-1 of "hanzo-ingest:topic:partition:offset", version 5 layout. */
export function uuidFromOrigin(): string {
  const h =
    "hex(SHA1(concat('hanzo-ingest:', toString(_topic), ':', toString(_partition), ':', toString(_offset))))";
  const variant = `hex(toUInt8(bitOr(bitAnd(reinterpretAsUInt8(unhex(substring(${h}, 17, 2))), 63), 128)))`;
  return `toUUID(lower(concat(substring(${h}, 1, 8), '-', substring(${h}, 9, 4), '-5', substring(${h}, 14, 3), '-', ${variant}, substring(${h}, 19, 2), '-', substring(${h}, 21, 12))))`;
}
