import { deadLetter, ok, type Outcome } from './outcome.ts';
import {
  DEFAULT_RETENTION_MONTHS,
  toClickHouseDateTime64,
  type MessageOrigin,
} from './event-row.ts';
import type { DecodedEvent } from './decoded-event.ts';
import { uuidFromOrigin } from './deterministic-uuid.ts';
import {
  FieldProblem,
  optionalDecimal,
  optionalString,
  optionalUInt32,
  optionalUuid,
  requiredId,
  requiredString,
  requiredUInt64,
  typeName,
  type Raw,
} from './field-readers.ts';
import { foldUnknownFields } from './fold-unknown-fields.ts';
import { parseTimestamp } from './parse-timestamp.ts';
import type { ColumnField } from './top-level-fields.ts';
import { readProperties } from './read-properties.ts';
import { sdkDeviceColumns } from './sdk-device-fields.ts';
import { splitUrl, stringFrom } from './string-from-properties.ts';
import { checkValueLimits, type ValueLimits } from './value-limits.ts';

export interface NormalizeOptions extends ValueLimits {
  readonly maxPropertiesBytes: number;
  readonly maxFutureSkewMs: number;
  readonly timestampSkewPolicy: 'reject' | 'broker-time';
}

export interface NormalizeContext {
  readonly nowMs: number;
  /** `_ingested_at` for every row decoded in this pass. */
  readonly ingestedAt: string;
}

/**
 * Turns a decoded event object (JSON or Avro) into an `events` row, or a dead letter
 * saying which field is wrong. The same rules apply whatever the wire format.
 * `properties` stays parsed (see decoded-event.ts): it is serialised once, after enrich.
 */
export function normalizeEvent(
  raw: unknown,
  origin: MessageOrigin,
  options: NormalizeOptions,
  context: NormalizeContext,
): Outcome<DecodedEvent> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return deadLetter('not_an_object', `event must be a JSON object, got ${typeName(raw)}`);
  }
  const event = raw as Raw;
  const props = readProperties(event['properties']);
  if (props instanceof FieldProblem) return fieldDeadLetter(props);
  // properties sent as JSON text was opaque to the check of the whole event: check it now.
  if (props.text !== undefined) {
    const tooBig = checkValueLimits(props.object, options, 'properties');
    if (tooBig !== undefined) return tooBig;
  }
  const { text: propertiesText, object: p } = props;
  // The SDK's own device fields, read before unknown top-level fields join the properties.
  const device = sdkDeviceColumns(p);
  // Folded first, so keys added later (`$original_timestamp`) come after them, as in SQL;
  // a clash that cannot be placed is reported after the fields' own problems.
  const folded = foldUnknownFields(event, p);
  let propertiesChanged = Array.isArray(folded) && folded.length > 0;

  const ts = parseTimestamp(event['timestamp'], context.nowMs, options.maxFutureSkewMs);
  let timestampMs: number;
  // The broker's time stands in only where an event's own would be accepted: a record
  // without one (-1) or with an impossible one is a dead letter, not a row from 1969.
  const brokerTime =
    typeof ts !== 'number' && ts.kind === 'future' && options.timestampSkewPolicy === 'broker-time'
      ? parseTimestamp(origin.timestampMs, context.nowMs, options.maxFutureSkewMs)
      : undefined;
  if (typeof ts === 'number') {
    timestampMs = ts;
  } else if (typeof brokerTime === 'number') {
    timestampMs = brokerTime;
    p['$original_timestamp'] = event['timestamp'];
    propertiesChanged = true;
  } else if (brokerTime !== undefined) {
    const broker =
      origin.timestampMs < 0
        ? 'the message has no broker timestamp'
        : `the message's broker timestamp ${brokerTime.detail}`;
    return deadLetter('timestamp_in_future', `timestamp ${ts.detail}, and ${broker}`);
  } else {
    const reason =
      ts.kind === 'future'
        ? 'timestamp_in_future'
        : ts.kind === 'before_1970'
          ? 'timestamp_before_1970'
          : ts.kind === 'out_of_range'
            ? 'timestamp_out_of_range'
            : undefined;
    if (reason !== undefined) return deadLetter(reason, `timestamp ${ts.detail}`);
    return fieldDeadLetter(ts);
  }

  const uuid = optionalUuid(event, 'uuid');
  const teamId = requiredUInt64(event, 'team_id');
  const name = requiredString(event, 'event');
  const distinctId = requiredId(event, 'distinct_id');
  // The contract's column fields, checked in its order (top-level-fields.ts).
  const fields = {
    session_id: stringFrom(event, p, 'session_id', '$session_id'),
    url: stringFrom(event, p, 'url', '$current_url'),
    referrer: stringFrom(event, p, 'referrer', '$referrer'),
    host: stringFrom(event, p, 'host', '$host'),
    pathname: stringFrom(event, p, 'pathname', '$pathname'),
    utm_source: stringFrom(event, p, 'utm_source', 'utm_source'),
    utm_medium: stringFrom(event, p, 'utm_medium', 'utm_medium'),
    utm_campaign: stringFrom(event, p, 'utm_campaign', 'utm_campaign'),
    model: optionalString(event, 'model'),
    provider: optionalString(event, 'provider'),
    tokens_prompt: optionalUInt32(event, 'tokens_prompt'),
    tokens_completion: optionalUInt32(event, 'tokens_completion'),
    cost_usd: optionalDecimal(event, 'cost_usd'),
    organization_id: optionalString(event, 'organization_id'),
    project_id: optionalString(event, 'project_id'),
    api_key_id: optionalString(event, 'api_key_id'),
  } satisfies Record<ColumnField, unknown>;
  for (const value of [uuid, teamId, name, distinctId, ...Object.values(fields)]) {
    if (value instanceof FieldProblem) return fieldDeadLetter(value);
  }
  if (folded instanceof FieldProblem) return fieldDeadLetter(folded);
  const f = fields as { [K in keyof typeof fields]: Exclude<(typeof fields)[K], FieldProblem> };
  const { host, pathname } =
    f.url !== '' && (f.host === '' || f.pathname === '') ? splitUrl(f.url, f) : f;

  const row = {
    uuid:
      (uuid as string | undefined) ?? uuidFromOrigin(origin.topic, origin.partition, origin.offset),
    team_id: teamId as number | string,
    distinct_id: distinctId as string,
    session_id: f.session_id,
    event: name as string,
    timestamp: toClickHouseDateTime64(timestampMs),
    properties: '',
    url: f.url,
    referrer: f.referrer,
    host,
    pathname,
    ...device,
    country_code: '',
    city: '',
    region: '',
    utm_source: f.utm_source,
    utm_medium: f.utm_medium,
    utm_campaign: f.utm_campaign,
    model: f.model,
    provider: f.provider,
    tokens_prompt: f.tokens_prompt,
    tokens_completion: f.tokens_completion,
    cost_usd: f.cost_usd,
    cost_source: event['cost_usd'] === undefined || event['cost_usd'] === null ? '' : 'provided',
    organization_id: f.organization_id,
    project_id: f.project_id,
    api_key_id: f.api_key_id,
    retention_months: DEFAULT_RETENTION_MONTHS,
    _topic: origin.topic,
    _partition: origin.partition,
    _offset: origin.offset,
    _ingested_at: context.ingestedAt,
  };
  return ok({
    row,
    event,
    properties: p,
    propertiesText,
    propertiesChanged,
    timestampMs,
    foldedFields: folded,
  });
}

function fieldDeadLetter(problem: FieldProblem): Outcome<DecodedEvent> {
  return deadLetter(
    problem.missing ? 'missing_field' : 'wrong_type',
    `${problem.field} ${problem.detail}`,
  );
}
