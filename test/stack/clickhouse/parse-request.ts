import type { IncomingHttpHeaders } from 'node:http';
import { ClickHouseServerError } from './clickhouse-error.ts';

/**
 * What an HTTP request asks of ClickHouse, read from its URL and headers the
 * way the real HTTP interface reads them: reserved parameters, `param_<name>`
 * query parameters, and everything else as a setting. Credentials are read
 * (and checked) before this, by credentials.ts.
 */
export interface ClickHouseHttpRequest {
  readonly method: string;
  /** The `query` URL parameter; the POST body, if any, is appended to it. */
  readonly query: string | undefined;
  readonly queryId: string;
  readonly database: string | undefined;
  readonly defaultFormat: string | undefined;
  readonly session: SessionRequest | undefined;
  /** Settings for this request only: name → value as sent. */
  readonly settings: ReadonlyMap<string, string>;
  /** `{name:Type}` query parameters: name → value in ClickHouse's escaped text form. */
  readonly queryParams: ReadonlyMap<string, string>;
  readonly http: HttpLayerSettings;
}

export interface SessionRequest {
  readonly id: string;
  readonly timeoutSeconds: number;
  /** session_check=1: fail if the session does not exist yet. */
  readonly mustExist: boolean;
}

/** Settings the HTTP layer itself honours rather than the engine. */
export interface HttpLayerSettings {
  readonly compressResponse: boolean;
  readonly compressionLevel: number;
  /** GET requests and the `readonly` setting allow reading queries only. */
  readonly readOnly: boolean;
}

/** URL parameters that are never settings (ClickHouse's reserved_param_names, plus `query`). */
const RESERVED = new Set([
  'query',
  'compress',
  'decompress',
  'user',
  'password',
  'quota_key',
  'query_id',
  'stacktrace',
  'role',
  'buffer_size',
  'wait_end_of_query',
  'session_id',
  'session_timeout',
  'session_check',
  'client_protocol_version',
  'close_session',
  'database',
  'default_format',
]);

/**
 * Real settings that only make sense to an HTTP server. chDB's engine has no
 * HTTP layer (some it would even reject), so this server acts on them or
 * ignores them (we always answer after the query has finished, which is what
 * wait_end_of_query asks for) instead of SETting them.
 */
const HTTP_LAYER_SETTINGS = new Set([
  'enable_http_compression',
  'http_zlib_compression_level',
  'http_response_compression_method',
  'http_native_compression_disable_checksumming_on_decompress',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_send_progress_interval_ms',
  'http_response_buffer_size',
  'http_wait_end_of_query',
  'http_write_exception_in_output_format',
  'cancel_http_readonly_queries_on_client_close',
  'add_http_cors_header',
  'readonly',
]);

const DEFAULT_SESSION_TIMEOUT_SECONDS = 60;
const MAX_SESSION_TIMEOUT_SECONDS = 3600;
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseHttpRequest(
  method: string,
  url: URL,
  headers: IncomingHttpHeaders,
  newQueryId: () => string,
): ClickHouseHttpRequest {
  const params = url.searchParams;
  if (isOn(params.get('compress')) || isOn(params.get('decompress'))) {
    throw ClickHouseServerError.of(
      'NOT_IMPLEMENTED',
      "ClickHouse's native HTTP compression (compress=1 / decompress=1) is not supported by the local endpoint; " +
        'use Content-Encoding or enable_http_compression',
    );
  }
  const settings = new Map<string, string>();
  const queryParams = new Map<string, string>();
  for (const [name, value] of params) {
    if (name === '' || RESERVED.has(name) || HTTP_LAYER_SETTINGS.has(name)) continue;
    if (name.startsWith('param_'))
      queryParams.set(checkedParamName(name.slice('param_'.length)), value);
    else settings.set(checkedSettingName(name), value);
  }
  return {
    method,
    query: params.get('query') ?? undefined,
    queryId: params.get('query_id') || newQueryId(),
    database: params.get('database') || header(headers, 'x-clickhouse-database') || undefined,
    defaultFormat:
      params.get('default_format') || header(headers, 'x-clickhouse-format') || undefined,
    session: sessionRequest(params),
    settings,
    queryParams,
    http: {
      compressResponse: isOn(params.get('enable_http_compression')),
      compressionLevel: compressionLevel(params.get('http_zlib_compression_level')),
      readOnly: method === 'GET' || method === 'HEAD' || isOn(params.get('readonly')),
    },
  };
}

function sessionRequest(params: URLSearchParams): SessionRequest | undefined {
  const id = params.get('session_id');
  if (id === null || id === '') return undefined;
  const rawTimeout = params.get('session_timeout');
  const timeoutSeconds = rawTimeout === null ? DEFAULT_SESSION_TIMEOUT_SECONDS : Number(rawTimeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0) {
    throw ClickHouseServerError.of(
      'INVALID_SESSION_TIMEOUT',
      `Invalid session timeout: '${rawTimeout ?? ''}'`,
    );
  }
  if (timeoutSeconds > MAX_SESSION_TIMEOUT_SECONDS) {
    throw ClickHouseServerError.of(
      'INVALID_SESSION_TIMEOUT',
      `Session timeout '${timeoutSeconds}' is larger than max_session_timeout: ${MAX_SESSION_TIMEOUT_SECONDS}`,
    );
  }
  return { id, timeoutSeconds, mustExist: isOn(params.get('session_check')) };
}

export function checkedSettingName(name: string): string {
  if (!SETTING_NAME.test(name)) {
    throw ClickHouseServerError.of('UNKNOWN_SETTING', `Unknown setting '${name}'`);
  }
  return name;
}

export function checkedParamName(name: string): string {
  if (!SETTING_NAME.test(name)) {
    throw ClickHouseServerError.of('BAD_ARGUMENTS', `Invalid query parameter name '${name}'`);
  }
  return name;
}

function compressionLevel(raw: string | null): number {
  const level = raw === null ? 3 : Number(raw);
  return Number.isInteger(level) ? Math.min(Math.max(level, 1), 9) : 3;
}

function isOn(value: string | null): boolean {
  return value !== null && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
