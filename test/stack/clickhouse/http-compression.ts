import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { ClickHouseServerError } from './clickhouse-error.ts';

/** The HTTP content codings this endpoint reads and writes (all built into node:zlib). */
export type ContentCoding = 'gzip' | 'deflate' | 'br' | 'zstd';

const CODINGS: Readonly<Record<string, ContentCoding>> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
  br: 'br',
  zstd: 'zstd',
};

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotliDecompress = promisify(zlib.brotliDecompress);
const zstdDecompress = promisify(zlib.zstdDecompress);
const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);
const brotliCompress = promisify(zlib.brotliCompress);
const zstdCompress = promisify(zlib.zstdCompress);

/** The request body's coding; `identity` or no header means none. */
export function requestCoding(contentEncoding: string | undefined): ContentCoding | undefined {
  const name = contentEncoding?.trim().toLowerCase();
  if (name === undefined || name === '' || name === 'identity') return undefined;
  const coding = CODINGS[name];
  if (coding === undefined) {
    throw ClickHouseServerError.of(
      'UNSUPPORTED_MEDIA_TYPE',
      `Unsupported HTTP Content-Encoding '${name}'`,
    );
  }
  return coding;
}

/** The first coding the client lists (and does not refuse with q=0) that we can produce. */
export function responseCoding(acceptEncoding: string | undefined): ContentCoding | undefined {
  for (const entry of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const refused = params.some((param) => /^q=0(\.0*)?$/.test(param));
    const coding = CODINGS[name];
    if (coding !== undefined && !refused) return coding;
  }
  return undefined;
}

/** Decompresses a request body; a body that would exceed `maxBytes` fails with QUERY_IS_TOO_LARGE. */
export async function decodeBody(
  body: Buffer,
  coding: ContentCoding,
  maxBytes: number,
): Promise<Buffer> {
  const options = { maxOutputLength: maxBytes };
  try {
    switch (coding) {
      case 'gzip':
        return await gunzip(body, options);
      case 'deflate':
        return await inflate(body, options);
      case 'br':
        return await brotliDecompress(body, options);
      case 'zstd':
        return await zstdDecompress(body, options);
    }
  } catch (error) {
    if (error instanceof RangeError) {
      throw ClickHouseServerError.of(
        'QUERY_IS_TOO_LARGE',
        `Decompressed request body exceeds ${maxBytes} bytes`,
        {
          cause: error,
        },
      );
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw ClickHouseServerError.of(
      'CANNOT_DECOMPRESS',
      `Cannot decompress ${coding} request body: ${detail}`,
      {
        cause: error,
      },
    );
  }
}

/** `level` follows http_zlib_compression_level (ClickHouse's default is 3). */
export async function encodeBody(body: Buffer, coding: ContentCoding, level = 3): Promise<Buffer> {
  switch (coding) {
    case 'gzip':
      return gzip(body, { level });
    case 'deflate':
      return deflate(body, { level });
    case 'br':
      return brotliCompress(body, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: Math.min(level, 11) },
      });
    case 'zstd':
      return zstdCompress(body, { params: { [zlib.constants.ZSTD_c_compressionLevel]: level } });
  }
}
