/**
 * Client IP addresses for the benchmark corpus: public IPv4 and IPv6 addresses from
 * ranges that are really allocated (so a geo database finds most of them), plus a few
 * private ones (which enrichment must leave empty).
 */

/** First octets of /8 blocks that are public unicast (not private, loopback, CGNAT or reserved). */
const PUBLIC_V4_FIRST_OCTETS: readonly number[] = Array.from(
  { length: 223 },
  (_, i) => i + 1,
).filter((o) => ![10, 100, 127, 169, 172, 192, 198, 203].includes(o));

/** /32 prefixes of large real IPv6 allocations (ISPs, clouds, mobile carriers). */
const V6_PREFIXES: readonly string[] = [
  '2001:4860',
  '2a00:1450',
  '2600:1f18',
  '2a01:4f8',
  '2606:4700',
  '2400:cb00',
  '2a02:8108',
  '2003:e2',
  '2601:646',
  '2607:fb90',
  '240e:3b3',
  '2409:8a00',
  '2405:201',
  '2804:14c',
  '2a01:cb00',
  '2c0f:f4c0',
];

/** A public IPv4 address from four random words in [0, 1). */
export function publicIpv4(a: number, b: number, c: number, d: number): string {
  const first = PUBLIC_V4_FIRST_OCTETS[Math.floor(a * PUBLIC_V4_FIRST_OCTETS.length)] ?? 81;
  return `${first}.${Math.floor(b * 256)}.${Math.floor(c * 256)}.${1 + Math.floor(d * 254)}`;
}

/** A global unicast IPv6 address in a real allocation, from random words in [0, 1). */
export function publicIpv6(a: number, b: number, c: number, d: number): string {
  const prefix = V6_PREFIXES[Math.floor(a * V6_PREFIXES.length)] ?? V6_PREFIXES[0];
  const hex = (x: number): string => Math.floor(x * 0x10000).toString(16);
  return `${prefix}:${hex(b)}:${hex(c)}::${hex(d)}:${hex((b + d) % 1)}`;
}

/** A private address (RFC 1918 or IPv6 ULA): enrichment must give no location. */
export function privateIp(a: number, b: number): string {
  if (a < 0.4)
    return `10.${Math.floor(b * 256)}.${Math.floor(a * 640) % 256}.${1 + Math.floor(b * 253)}`;
  if (a < 0.8) return `192.168.${Math.floor(b * 256)}.${1 + Math.floor(a * 253)}`;
  return `fd00:${Math.floor(b * 0x10000).toString(16)}::${Math.floor(a * 0x10000).toString(16)}`;
}
