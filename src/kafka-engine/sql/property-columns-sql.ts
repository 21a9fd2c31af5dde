import { sqlString } from '../sql-literal.ts';
import type { FieldSql } from './json-field-sql.ts';
import { jsonType } from './json-value-sql.ts';

/** What the parse view reads from the URL's scheme before splitting it into host and path. */
const SPECIAL_URL = '^(?i)(https?|wss?|ftp)://[^/?#]';

/**
 * Columns read from properties when the top-level field is empty (string-from-properties.ts
 * stringFrom), then host and pathname from the URL when still missing.
 */
export function propertyColumnAliases(
  fields: Readonly<Record<string, FieldSql>>,
): [string, string][] {
  // A top-level field wins; otherwise the PostHog-style property (strings only).
  const stringFrom = (field: string, property: string): string =>
    `if(${fields[field]?.value ?? "''"} != '', ${fields[field]?.value ?? "''"}, if(${propType(property)} = 'String', JSONExtractString(p_pm[${sqlString(property)}]), ''))`;
  return [
    ['p_url', stringFrom('url', '$current_url')],
    ['p_session_id', stringFrom('session_id', '$session_id')],
    ['p_referrer', stringFrom('referrer', '$referrer')],
    ...(['utm_source', 'utm_medium', 'utm_campaign'] as const).map((k): [string, string] => [
      `p_v_${k}_props`,
      stringFrom(k, k),
    ]),
    ['p_host0', stringFrom('host', '$host')],
    ['p_pathname0', stringFrom('pathname', '$pathname')],
    [
      'p_split_url',
      `p_url != '' AND (p_host0 = '' OR p_pathname0 = '') AND match(p_url, '${SPECIAL_URL}')`,
    ],
    [
      'p_url_default_port',
      "multiIf(match(p_url, '^(?i)(https|wss)://'), 443, match(p_url, '^(?i)ftp://'), 21, 80)",
    ],
    [
      'p_url_host',
      "concat(lower(domain(p_url)), if(port(p_url) IN (0, p_url_default_port), '', concat(':', toString(port(p_url)))))",
    ],
    ['p_host', "if(p_split_url AND p_host0 = '', p_url_host, p_host0)"],
    [
      'p_pathname',
      "if(p_split_url AND p_pathname0 = '', if(path(p_url) = '', '/', path(p_url)), p_pathname0)",
    ],
  ];
}

/** Campaign columns from the URL's query string when still empty (utm-from-url.ts). */
export function utmFromUrlAliases(): [string, string][] {
  return [
    [
      'p_utm_from_url',
      "position(p_url, '?') > 0 AND position(substring(p_url, position(p_url, '?')), 'utm_') > 0",
    ],
    ...(['utm_source', 'utm_medium', 'utm_campaign'] as const).map((k): [string, string] => [
      `p_${k}`,
      `if(p_v_${k}_props = '' AND p_utm_from_url, decodeURLFormComponent(extractURLParameter(p_url, '${k}')), p_v_${k}_props)`,
    ]),
  ];
}

function propType(key: string): string {
  const k = sqlString(key);
  return `if(mapContains(p_pm, ${k}), ${jsonType(`p_pm[${k}]`)}, 'Missing')`;
}
