import { ClickHouseServerError } from './clickhouse-error.ts';

/**
 * multipart/form-data bodies. @clickhouse/client sends the query and its
 * `param_*` values this way when they would make the URL too long
 * (use_multipart_params / use_multipart_params_auto).
 */
export interface MultipartField {
  readonly name: string;
  /** Set for file parts: ClickHouse's "external tables", which this endpoint does not support. */
  readonly filename: string | undefined;
  readonly value: Buffer;
}

export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) throw malformed('no boundary in Content-Type');
  return boundary;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartField[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: MultipartField[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw malformed('boundary not found in body');
  for (;;) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return fields; // closing `--boundary--`
    at = skipLineBreak(body, at);
    const headersEnd = body.indexOf('\r\n\r\n', at);
    if (headersEnd < 0) throw malformed('part without a header block');
    const disposition =
      partHeaders(body.toString('utf8', at, headersEnd)).get('content-disposition') ?? '';
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd + 4);
    if (next < 0) throw malformed('part without a closing boundary');
    const name = dispositionParam(disposition, 'name');
    if (name === undefined) throw malformed('part without a name');
    fields.push({
      name,
      filename: dispositionParam(disposition, 'filename'),
      value: body.subarray(headersEnd + 4, next),
    });
    at = next + 2;
  }
}

function skipLineBreak(body: Buffer, at: number): number {
  let i = at;
  while (body[i] === 0x20 || body[i] === 0x09) i++; // transport padding
  if (body[i] === 0x0d) i++;
  if (body[i] === 0x0a) i++;
  return i;
}

function partHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function dispositionParam(disposition: string, param: string): string | undefined {
  const match = new RegExp(
    `;\\s*${param}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${param}=([^;\\s]+)`,
    'i',
  ).exec(disposition);
  const quoted = match?.[1];
  return quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : match?.[2];
}

function malformed(detail: string): ClickHouseServerError {
  return ClickHouseServerError.of('BAD_ARGUMENTS', `Malformed multipart/form-data body: ${detail}`);
}
