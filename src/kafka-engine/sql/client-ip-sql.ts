import { sqlString } from '../sql-literal.ts';

/** A field an enrichment step reads: in `properties` or at the event's top level. */
export interface FieldPath {
  readonly inProperties: boolean;
  readonly segments: readonly string[];
}

/**
 * The worker's client-IP reading (src/enrich/geo/client-ip.ts) in SQL: first entry of an
 * X-Forwarded-For list, `[v6]:port`, `v4:port`, zone ids and IPv4-mapped IPv6 handled the same
 * way; private, loopback, documentation and other reserved ranges are never looked up.
 * The ranges are client-ip.ts's (kept in step by the differential test of the parse SQL).
 */
const NOT_ROUTED_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
] as const;

const NOT_ROUTED_V6 = [
  '::/127',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/23',
  '2001:db8::/32',
  '3fff::/20',
  '5f00::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
] as const;

export interface ClientIpSql {
  /** Aliases to declare, in order: [alias, expression]. */
  readonly aliases: readonly (readonly [string, string])[];
  /** IPv6 (IPv4 mapped) of a public address, or NULL (invalid or not routed). */
  readonly publicAddress: string;
}

/** `value` is a String expression ('' when the event has no IP). */
export function clientIpSql(value: string): ClientIpSql {
  return {
    aliases: [
      ['p_ip_value', value],
      // First X-Forwarded-For entry, then [v6]:port, v4:port, %zone.
      ['p_ip_first', `trimBoth(splitByChar(',', p_ip_value)[1])`],
      [
        'p_ip_host',
        `multiIf(match(p_ip_first, '^\\\\[[^\\\\]]+\\\\](:[0-9]{1,5})?$'), extract(p_ip_first, '^\\\\[([^\\\\]]+)\\\\]'), match(p_ip_first, '^[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}:[0-9]{1,5}$'), splitByChar(':', p_ip_first)[1], p_ip_first)`,
      ],
      ['p_ip_text', `splitByChar('%', p_ip_host)[1]`],
      [
        'p_ip6',
        `if(length(p_ip_value) BETWEEN 1 AND 256 AND (isIPv4String(p_ip_text) OR isIPv6String(p_ip_text)), toIPv6OrNull(p_ip_text), NULL)`,
      ],
      [
        'p_ip4',
        `if(p_ip6 IS NOT NULL AND startsWith(toString(p_ip6), '::ffff:') AND isIPv4String(substring(toString(p_ip6), 8)), substring(toString(p_ip6), 8), '')`,
      ],
      [
        'p_ip_routed',
        // Both branches of if() may be evaluated: each gets a valid address whatever the row.
        `p_ip6 IS NOT NULL AND if(p_ip4 != '', NOT (${NOT_ROUTED_V4.map((c) => `isIPAddressInRange(if(p_ip4 != '', p_ip4, '0.0.0.0'), '${c}')`).join(' OR ')}), NOT (${NOT_ROUTED_V6.map((c) => `isIPAddressInRange(ifNull(toString(p_ip6), '::'), '${c}')`).join(' OR ')}))`,
      ],
    ],
    publicAddress: 'if(p_ip_routed, p_ip6, NULL)',
  };
}

/** The IP value: the first configured field holding a non-empty string, else ''. */
export function ipValue(paths: readonly FieldPath[]): string {
  if (paths.length === 0) return "''";
  const reads = paths.map((p) => {
    const args = p.segments.map(sqlString).join(', ');
    return p.inProperties
      ? `JSONExtractString(if(p_props_type = 'Object', p_props_text, '{}'), ${args})`
      : `JSONExtractString(if(p_msg_type = 'Object', p_msg, '{}'), ${args})`;
  });
  return reads.length === 1
    ? (reads[0] ?? "''")
    : `arrayFirst(x -> x != '', [${reads.join(', ')}])`;
}
