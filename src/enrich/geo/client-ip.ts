import { BlockList, isIP } from 'node:net';

/** What an event's IP field holds, as far as geolocation is concerned. */
export type ClientIp =
  | { readonly kind: 'public'; readonly address: string; readonly family: 4 | 6 }
  | { readonly kind: 'private' }
  | { readonly kind: 'invalid' };

const INVALID: ClientIp = Object.freeze({ kind: 'invalid' });
const PRIVATE: ClientIp = Object.freeze({ kind: 'private' });

/** Private, loopback, link-local, shared, documentation, multicast and other reserved ranges. */
const NOT_ROUTED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_ROUTED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127], // unspecified and loopback
  ['64:ff9b::', 96], // NAT64 (the IPv4 inside is not the client's v6 location)
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, benchmarking…)
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
  ['5f00::', 16], // segment routing
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NOT_ROUTED.addSubnet(network, prefix, 'ipv6');
}

const MAPPED_DOTTED = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;
const V4_WITH_PORT = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}):\d{1,5}$/;
const BRACKETED = /^\[([^\]]+)\](?::\d{1,5})?$/;

/**
 * Reads a client IP the way proxies and SDKs write it: plain IPv4/IPv6, `[v6]:port`,
 * `v4:port`, the first entry of an X-Forwarded-For list, IPv4-mapped IPv6 (as IPv4).
 * Never throws; anything else is `invalid`.
 */
export function classifyClientIp(value: unknown): ClientIp {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) return INVALID;
  let text = value;
  const comma = text.indexOf(',');
  if (comma !== -1) text = text.slice(0, comma);
  text = text.trim();
  const bracketed = BRACKETED.exec(text);
  if (bracketed !== null) text = bracketed[1] ?? '';
  else {
    const withPort = V4_WITH_PORT.exec(text);
    if (withPort !== null) text = withPort[1] ?? '';
  }
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);

  let family = isIP(text);
  if (family === 6) {
    const v4 = mappedIpv4(text);
    if (v4 !== undefined) {
      text = v4;
      family = 4;
    }
  }
  if (family === 4) {
    return NOT_ROUTED.check(text, 'ipv4') ? PRIVATE : { kind: 'public', address: text, family };
  }
  if (family === 6) {
    return NOT_ROUTED.check(text, 'ipv6') ? PRIVATE : { kind: 'public', address: text, family };
  }
  return INVALID;
}

function mappedIpv4(v6: string): string | undefined {
  const dotted = MAPPED_DOTTED.exec(v6);
  if (dotted !== null) return dotted[1];
  const hex = MAPPED_HEX.exec(v6);
  if (hex === null) return undefined;
  const high = parseInt(hex[1] ?? '0', 16);
  const low = parseInt(hex[2] ?? '0', 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}
