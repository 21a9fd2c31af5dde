import type { IncomingMessage } from 'node:http';
import { ClickHouseServerError } from './clickhouse-error.ts';

/**
 * Collects the body. Past `maxBytes` it stops reading without destroying the
 * socket, so the client still gets a QUERY_IS_TOO_LARGE response (and the
 * connection is closed after it).
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      done();
      req.pause();
      reject(
        ClickHouseServerError.of('QUERY_IS_TOO_LARGE', `Request body exceeds ${maxBytes} bytes`),
      );
    };
    const onEnd = (): void => {
      done();
      resolve(
        chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size),
      );
    };
    const onError = (error: Error): void => {
      done();
      reject(error);
    };
    const done = (): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
