import type { ServerResponse } from 'node:http';
import type { ClickHouseServerError } from './clickhouse-error.ts';
import { httpStatusFor } from './clickhouse-error.ts';
import { encodeBody, type ContentCoding } from './http-compression.ts';
import { EMPTY_SUMMARY, summaryHeader, type QuerySummary } from './query-summary.ts';

/** What every response of a query request carries, success or not. */
export interface ResponseContext {
  readonly queryId: string;
  readonly format: string;
  readonly timezone: string;
  readonly version: string;
  readonly displayName: string;
  /** Set when the request asked for enable_http_compression and accepts a coding we produce. */
  readonly coding: ContentCoding | undefined;
  readonly compressionLevel: number;
  /** The request body was not read to its end, so the connection cannot be reused. */
  readonly closeConnection: boolean;
}

export async function sendResult(
  res: ServerResponse,
  context: ResponseContext,
  body: Buffer,
  summary: QuerySummary,
  headOnly: boolean,
): Promise<void> {
  res.setHeader('Content-Type', contentTypeFor(context.format));
  res.setHeader('X-ClickHouse-Summary', summaryHeader(summary));
  await send(res, context, 200, body, headOnly);
}

/** Status and X-ClickHouse-Exception-Code as the server sets them; the body is the exception text. */
export async function sendError(
  res: ServerResponse,
  context: ResponseContext,
  error: ClickHouseServerError,
): Promise<void> {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  res.setHeader('Content-Type', 'text/plain; charset=UTF-8');
  res.setHeader('X-ClickHouse-Exception-Code', String(error.code));
  res.setHeader('X-ClickHouse-Summary', summaryHeader(EMPTY_SUMMARY));
  await send(
    res,
    context,
    httpStatusFor(error.code),
    Buffer.from(error.responseText(context.version)),
    false,
  );
}

export function sendPlainText(
  res: ServerResponse,
  status: number,
  text: string,
  headOnly: boolean,
): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(headOnly ? undefined : text);
}

async function send(
  res: ServerResponse,
  context: ResponseContext,
  status: number,
  raw: Buffer,
  headOnly: boolean,
): Promise<void> {
  const body =
    context.coding === undefined
      ? raw
      : await encodeBody(raw, context.coding, context.compressionLevel);
  if (res.destroyed) return;
  res.setHeader('X-ClickHouse-Server-Display-Name', context.displayName);
  res.setHeader('X-ClickHouse-Query-Id', context.queryId);
  res.setHeader('X-ClickHouse-Format', context.format);
  res.setHeader('X-ClickHouse-Timezone', context.timezone);
  if (context.coding !== undefined) res.setHeader('Content-Encoding', context.coding);
  if (context.closeConnection) res.setHeader('Connection', 'close');
  res.setHeader('Content-Length', body.length);
  res.writeHead(status);
  res.end(headOnly ? undefined : body);
}

/** The Content-Type ClickHouse sends for an output format. */
export function contentTypeFor(format: string): string {
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format))
    return `text/csv; charset=UTF-8; header=${/WithNames/i.test(format) ? 'present' : 'absent'}`;
  if (/EachRow$/i.test(format) && /^JSON/i.test(format))
    return 'application/x-ndjson; charset=UTF-8';
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8';
  if (
    /^(RowBinary|Native|Parquet|Arrow|ORC|Avro|MsgPack|Protobuf|CapnProto|BSON|Npy)/i.test(format)
  ) {
    return 'application/octet-stream';
  }
  return 'text/plain; charset=UTF-8';
}
