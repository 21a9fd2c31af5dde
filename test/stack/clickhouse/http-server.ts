import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { ExecutionResult } from './chdb-executor.ts';
import { ClickHouseServerError, ERROR_CODES, toClickHouseError } from './clickhouse-error.ts';
import { readBody } from './read-body.ts';
import { authenticate, readCredentials, type UserDirectory } from './credentials.ts';
import { decodeBody, requestCoding, responseCoding } from './http-compression.ts';
import { HttpSessionRegistry, type HttpSession } from './http-sessions.ts';
import { multipartBoundary, parseMultipart } from './multipart-body.ts';
import { parseHttpRequest } from './parse-request.ts';
import { planRequest, type ExecutionPlan } from './plan-request.ts';
import { sendError, sendPlainText, sendResult, type ResponseContext } from './write-response.ts';

/** The engine side, as the server needs it (ChdbExecutor in production). */
export interface QueryExecutor {
  readonly version: string;
  readonly timezone: string;
  run(plan: ExecutionPlan, session: HttpSession | undefined): Promise<ExecutionResult>;
  close(): Promise<void>;
}

export interface ServerLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ClickHouseHttpServerOptions {
  readonly executor: QueryExecutor;
  readonly users: UserDirectory;
  readonly log: ServerLogger;
  /** Largest request body accepted, after decompression (default 1 GiB). */
  readonly maxBodyBytes?: number;
  /** INSERT data above this that chDB cannot take zero-copy goes through a temporary file (default 16 MiB). */
  readonly inlineDataBytes?: number;
}

/** ClickHouse's default keep_alive_timeout. */
const KEEP_ALIVE_MS = 10_000;

/**
 * ClickHouse's HTTP interface over a QueryExecutor: `/ping`, `/` and queries
 * sent the ways @clickhouse/client and curl send them. A failing request
 * always becomes an error response; nothing a client sends stops the server.
 */
export class ClickHouseHttpServer {
  readonly #server: Server;
  readonly #executor: QueryExecutor;
  readonly #users: UserDirectory;
  readonly #log: ServerLogger;
  readonly #maxBodyBytes: number;
  readonly #inlineDataBytes: number;
  readonly #sessions = new HttpSessionRegistry();
  readonly #displayName = hostname();
  #inFlight = 0;
  #drained: (() => void) | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: ClickHouseHttpServerOptions) {
    this.#executor = options.executor;
    this.#users = options.users;
    this.#log = options.log;
    this.#maxBodyBytes = options.maxBodyBytes ?? 1 << 30;
    this.#inlineDataBytes = options.inlineDataBytes ?? 16 << 20;
    this.#server = createServer(
      { maxHeaderSize: 1 << 20, keepAliveTimeout: KEEP_ALIVE_MS, requestTimeout: 600_000 },
      (req, res) => {
        void this.#handle(req, res);
      },
    );
    this.#server.headersTimeout = 60_000;
    this.#server.on('clientError', (error, socket) => {
      // Malformed HTTP: answer if we still can, never throw.
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy(error);
    });
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return this.#server.address() as AddressInfo;
  }

  /** Stops accepting, lets in-flight requests finish, then closes the engine. Idempotent. */
  async stop(): Promise<void> {
    this.#stopping ??= this.#shutDown();
    return this.#stopping;
  }

  async #shutDown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#server.closeIdleConnections();
    await closed;
    await this.#executor.close();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#inFlight++;
    // A client that hangs up mid-response must not take the server down.
    res.on('error', (error) => this.#log.debug({ err: error }, 'response failed'));
    const context: Mutable<ResponseContext> = {
      queryId: randomUUID(),
      format: 'TabSeparated',
      timezone: this.#executor.timezone,
      version: this.#executor.version,
      displayName: this.#displayName,
      coding: undefined,
      compressionLevel: 3,
      closeConnection: false,
    };
    try {
      if (this.#stopping !== undefined) res.setHeader('Connection', 'close');
      await this.#answer(req, res, context);
    } catch (error) {
      const clickHouseError = toClickHouseError(error);
      context.closeConnection = !req.complete;
      if (clickHouseError.code === ERROR_CODES.UNKNOWN_EXCEPTION) {
        // Not a ClickHouse error: a bug or an I/O failure worth a look.
        this.#log.error({ err: error, queryId: context.queryId }, 'request failed');
      }
      await sendError(res, context, clickHouseError).catch((sendFailure: unknown) => {
        res.destroy();
        this.#log.error({ err: sendFailure }, 'could not send an error response');
      });
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) this.#drained?.();
    }
  }

  async #answer(
    req: IncomingMessage,
    res: ServerResponse,
    context: Mutable<ResponseContext>,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headOnly = method === 'HEAD';
    const isProbe = url.pathname === '/ping' || url.pathname === '/replicas_status';
    if (isProbe || ((method === 'GET' || headOnly) && !url.searchParams.has('query'))) {
      sendPlainText(res, 200, 'Ok.\n', headOnly);
      return;
    }
    if (method !== 'GET' && method !== 'POST' && !headOnly) {
      throw ClickHouseServerError.of('NOT_IMPLEMENTED', `HTTP method ${method} is not supported`);
    }
    authenticate(readCredentials(req.headers, url.searchParams), this.#users);
    const request = parseHttpRequest(method, url, req.headers, randomUUID);
    context.queryId = request.queryId;
    context.compressionLevel = request.http.compressionLevel;
    context.coding = request.http.compressResponse
      ? responseCoding(req.headers['accept-encoding'])
      : undefined;
    context.format = request.defaultFormat ?? context.format;
    const started = performance.now();
    const coding = requestCoding(req.headers['content-encoding']);
    const received = await readBody(req, this.#maxBodyBytes);
    const read = performance.now();
    const body =
      coding === undefined ? received : await decodeBody(received, coding, this.#maxBodyBytes);
    const boundary = multipartBoundary(req.headers['content-type']);
    const fields = boundary === undefined ? undefined : parseMultipart(body, boundary);
    const plan = planRequest(request, body, fields, { inlineDataBytes: this.#inlineDataBytes });
    context.format = plan.outputFormat;
    const session =
      request.session === undefined ? undefined : this.#sessions.open(request.session);
    try {
      const planned = performance.now();
      const result = await this.#executor.run(plan, session);
      const ran = performance.now();
      await sendResult(res, context, result.body, result.summary, headOnly);
      this.#log.debug(
        {
          queryId: context.queryId,
          statement: plan.statement.kind,
          bodyBytes: received.length,
          readMs: Math.round(read - started),
          planMs: Math.round(planned - read),
          runMs: Math.round(ran - planned),
          sendMs: Math.round(performance.now() - ran),
        },
        'query',
      );
    } finally {
      if (request.session !== undefined) this.#sessions.release(request.session);
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
