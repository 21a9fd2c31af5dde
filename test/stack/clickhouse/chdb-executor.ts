import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Session, type ChdbResult } from 'chdb';
import PQueue from 'p-queue';
import { ClickHouseServerError, toClickHouseError } from './clickhouse-error.ts';
import type { HttpSession } from './http-sessions.ts';
import type { ExecutionPlan, PlannedStatement } from './plan-request.ts';
import { EMPTY_SUMMARY, type QuerySummary } from './query-summary.ts';
import { changedSettings, RequestScope } from './request-scope.ts';
import { quoteString } from './sql-text.ts';

export interface ExecutionResult {
  readonly body: Buffer;
  readonly summary: QuerySummary;
}

export interface ExecutorLogger {
  error(fields: object, message: string): void;
}

/**
 * Runs requests on one chDB session over a persistent data directory, one at
 * a time (a chDB session is single-threaded anyway). Each request's settings,
 * database and query parameters are applied just before its statement and put
 * back right after, so nothing leaks into the next request; an HTTP session's
 * SET / USE state is replayed for its own requests only.
 */
export class ChdbExecutor {
  readonly version: string;
  readonly timezone: string;
  readonly #session: Session;
  readonly #queue = new PQueue({ concurrency: 1 });
  /** Settings chDB had already changed at start-up: name → value. */
  readonly #baseline: ReadonlyMap<string, string>;
  readonly #uploadDir: string;
  readonly #log: ExecutorLogger;
  #broken: ClickHouseServerError | undefined;

  private constructor(session: Session, info: EngineInfo, uploadDir: string, log: ExecutorLogger) {
    this.#session = session;
    this.version = info.version;
    this.timezone = info.timezone;
    this.#baseline = info.baseline;
    this.#uploadDir = uploadDir;
    this.#log = log;
  }

  static async open(dataDir: string, log: ExecutorLogger): Promise<ChdbExecutor> {
    const session = new Session(dataDir);
    try {
      const about = await session.queryAsync('SELECT version(), timezone()', {
        format: 'TabSeparated',
      });
      const [version = '', timezone = 'UTC'] = about.text().trim().split('\t');
      const baseline = await changedSettings(session);
      // Beside the data directory, whose lock we now hold: leftovers of a killed server are ours to clear.
      const uploadDir = `${resolve(dataDir)}.uploads`;
      await rm(uploadDir, { recursive: true, force: true });
      await mkdir(uploadDir, { recursive: true });
      return new ChdbExecutor(session, { version, timezone, baseline }, uploadDir, log);
    } catch (error) {
      session.close();
      throw error;
    }
  }

  /** Queues the plan behind earlier requests; rejects with a ClickHouseServerError. */
  async run(plan: ExecutionPlan, session: HttpSession | undefined): Promise<ExecutionResult> {
    return this.#queue.add(async () => {
      if (this.#broken !== undefined) throw this.#broken;
      try {
        return await this.#runScoped(plan, session);
      } catch (error) {
        throw toClickHouseError(error);
      }
    });
  }

  /** Waits for queued requests, then releases the engine. */
  async close(): Promise<void> {
    await this.#queue.onIdle();
    this.#session.close();
    await rm(this.#uploadDir, { recursive: true, force: true });
  }

  async #runScoped(
    plan: ExecutionPlan,
    session: HttpSession | undefined,
  ): Promise<ExecutionResult> {
    const scope = new RequestScope(this.#session, this.#baseline, plan, session);
    try {
      await scope.enter();
      const result = await this.#runStatement(plan.statement, plan.outputFormat);
      await scope.afterStatement();
      return result;
    } finally {
      await scope.leave().catch((fatal: unknown) => {
        // Every later request would run with this one's settings: refuse them loudly instead.
        this.#broken = ClickHouseServerError.of(
          'UNKNOWN_EXCEPTION',
          'The local endpoint could not reset the shared chDB session after a request; restart it',
          { cause: fatal },
        );
        this.#log.error({ err: fatal }, 'could not reset the chDB session state');
      });
    }
  }

  async #runStatement(statement: PlannedStatement, format: string): Promise<ExecutionResult> {
    switch (statement.kind) {
      case 'query':
        return resultOf(await this.#session.queryAsync(statement.sql, { format }));
      case 'rawInsert': {
        const { table, columns, format: dataFormat } = statement.target;
        const written = await this.#session.insert({
          table,
          values: statement.data,
          format: dataFormat,
          ...(columns === undefined ? {} : { columns }),
        });
        return {
          body: Buffer.alloc(0),
          summary: {
            ...EMPTY_SUMMARY,
            writtenRows: written.rowsWritten,
            writtenBytes: written.bytesWritten,
            elapsedSeconds: written.elapsed,
          },
        };
      }
      case 'fileInsert': {
        const file = join(this.#uploadDir, randomUUID());
        await writeFile(file, statement.data);
        try {
          const sql = `${statement.sqlBefore} FROM INFILE ${quoteString(file)} ${statement.sqlAfter}`;
          const result = await this.#session.queryAsync(sql, { format });
          // For INSERT … FROM INFILE chDB reports the inserted rows as the rows it read.
          return {
            body: Buffer.alloc(0),
            summary: {
              ...EMPTY_SUMMARY,
              writtenRows: result.rowsRead,
              elapsedSeconds: result.elapsed,
            },
          };
        } finally {
          await rm(file, { force: true });
        }
      }
      case 'emptyInsert':
        // The table name passed the raw-insert identifier whitelist, so it is safe to splice.
        if (statement.table !== undefined) await this.#exec(`DESCRIBE TABLE ${statement.table}`);
        return { body: Buffer.alloc(0), summary: EMPTY_SUMMARY };
    }
  }

  async #exec(sql: string): Promise<void> {
    await this.#session.queryAsync(sql, { format: 'TabSeparated' });
  }
}

interface EngineInfo {
  readonly version: string;
  readonly timezone: string;
  readonly baseline: ReadonlyMap<string, string>;
}

function resultOf(result: ChdbResult): ExecutionResult {
  const bytes = result.bytes();
  return {
    body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    summary: {
      ...EMPTY_SUMMARY,
      // chDB reports the result's rows and bytes; it has no separate count of rows scanned.
      readRows: result.rowsRead,
      readBytes: result.bytesRead,
      resultRows: result.rowsRead,
      resultBytes: result.bytesRead,
      elapsedSeconds: result.elapsed,
    },
  };
}
