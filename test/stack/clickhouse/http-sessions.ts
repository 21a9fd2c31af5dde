import { ClickHouseServerError } from './clickhouse-error.ts';
import type { SessionRequest } from './parse-request.ts';

/**
 * HTTP sessions (`session_id`), emulated over the one shared chDB session.
 *
 * Kept between requests of the same session_id, and invisible to others:
 * - settings changed with a `SET` statement;
 * - the database chosen with `USE`.
 * They expire `session_timeout` seconds (default 60) after the last request.
 *
 * Not emulated:
 * - temporary tables: chDB has a single context, so a temporary table is
 *   visible to every request and lives until the server stops;
 * - `SET param_x = …`: query parameters last for one request only;
 * - session locking (SESSION_IS_LOCKED): all requests run one at a time anyway;
 * - `close_session`.
 */
export interface HttpSession {
  readonly id: string;
  /** Settings changed by SET statements: name → SQL literal. */
  readonly settings: Map<string, string>;
  /** Database chosen by USE. */
  database: string | undefined;
}

interface Entry {
  readonly session: HttpSession;
  expiresAt: number;
}

export class HttpSessionRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The session for a request, created unless session_check=1 asks for an existing one. */
  open(request: SessionRequest): HttpSession {
    this.expire();
    let entry = this.#entries.get(request.id);
    if (entry === undefined) {
      if (request.mustExist) {
        throw ClickHouseServerError.of('SESSION_NOT_FOUND', `Session ${request.id} not found`);
      }
      entry = {
        session: { id: request.id, settings: new Map(), database: undefined },
        expiresAt: 0,
      };
      this.#entries.set(request.id, entry);
    }
    entry.expiresAt = this.#now() + request.timeoutSeconds * 1000;
    return entry.session;
  }

  /** Restarts the timeout once a request is done, as ClickHouse does. */
  release(request: SessionRequest): void {
    const entry = this.#entries.get(request.id);
    if (entry !== undefined) entry.expiresAt = this.#now() + request.timeoutSeconds * 1000;
  }

  expire(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(id);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
