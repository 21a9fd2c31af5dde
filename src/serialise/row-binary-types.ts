import { EVENT_COLUMNS } from './event-columns.ts';

/** How a column's value is written in RowBinary (row-binary-writer.ts). */
export type BinaryKind =
  | 'uuid'
  | 'string'
  | 'fixedString2'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'dateTime64ms'
  | 'decimal64x8';

type EventColumn = (typeof EVENT_COLUMNS)[number];

/**
 * The events table's column types as ClickHouse names them (system.columns, and the
 * RowBinaryWithNamesAndTypes header): HIP-47's schema, schemas/migrations/. ClickHouse checks
 * the header's types against the table's and refuses a block whose types differ, so a row is
 * never read with the wrong layout; the worker sends RowBinary only to a table whose types
 * are these (choose-row-format.ts). A test compares them with the migrated table.
 */
export const BINARY_COLUMN_TYPES = {
  uuid: 'UUID',
  team_id: 'UInt64',
  distinct_id: 'String',
  session_id: 'String',
  event: 'String',
  timestamp: "DateTime64(3, 'UTC')",
  properties: 'String',
  url: 'String',
  referrer: 'String',
  host: 'String',
  pathname: 'String',
  browser: 'LowCardinality(String)',
  browser_version: 'String',
  os: 'LowCardinality(String)',
  os_version: 'String',
  device_type: 'LowCardinality(String)',
  country_code: 'LowCardinality(FixedString(2))',
  city: 'LowCardinality(String)',
  region: 'LowCardinality(String)',
  utm_source: 'LowCardinality(String)',
  utm_medium: 'LowCardinality(String)',
  utm_campaign: 'LowCardinality(String)',
  model: 'LowCardinality(String)',
  provider: 'LowCardinality(String)',
  tokens_prompt: 'UInt32',
  tokens_completion: 'UInt32',
  cost_usd: 'Decimal(18, 8)',
  cost_source: 'LowCardinality(String)',
  organization_id: 'String',
  project_id: 'String',
  api_key_id: 'String',
  retention_months: 'UInt16',
  _topic: 'LowCardinality(String)',
  _partition: 'UInt16',
  _offset: 'UInt64',
  _ingested_at: "DateTime64(3, 'UTC')",
} as const satisfies Record<EventColumn, string>;

const KIND_OF_TYPE: Readonly<Record<string, BinaryKind>> = {
  UUID: 'uuid',
  String: 'string',
  'LowCardinality(String)': 'string',
  'LowCardinality(FixedString(2))': 'fixedString2',
  UInt16: 'uint16',
  UInt32: 'uint32',
  UInt64: 'uint64',
  "DateTime64(3, 'UTC')": 'dateTime64ms',
  'Decimal(18, 8)': 'decimal64x8',
};

/** Each column's writer kind, in EVENT_COLUMNS order (LowCardinality is plain in RowBinary). */
export const BINARY_COLUMN_KINDS: readonly BinaryKind[] = EVENT_COLUMNS.map((column) => {
  const kind = KIND_OF_TYPE[BINARY_COLUMN_TYPES[column]];
  if (kind === undefined) throw new Error(`no RowBinary writer for ${column}`);
  return kind;
});

/**
 * The RowBinaryWithNamesAndTypes header: the column count, the names, then the types, each
 * a length-prefixed string. Sent at the start of every insert body.
 */
export function rowBinaryHeader(): Buffer {
  const parts: Buffer[] = [varUInt(EVENT_COLUMNS.length)];
  const texts = [...EVENT_COLUMNS, ...EVENT_COLUMNS.map((c) => BINARY_COLUMN_TYPES[c])];
  for (const text of texts) {
    const bytes = Buffer.from(text, 'utf8');
    parts.push(varUInt(bytes.length), bytes);
  }
  return Buffer.concat(parts);
}

/** LEB128, as RowBinary prefixes strings and counts. */
export function varUInt(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}
