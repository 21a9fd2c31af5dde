import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import { queryRows } from '../../support/clickhouse.ts';
import type { ActiveProxyRule, TcpProxy } from '../../support/tcp-proxy.ts';
import { isInsert, parseToken, tokenOf } from './insert-log.ts';

/** One insert whose connection was cut after ClickHouse received it. */
export interface CutInsert {
  readonly token: string;
  /** Rows of its range found in ClickHouse before any retry could pass (the cut attempt landed). */
  landedBeforeRetry: number;
}

/**
 * Makes inserts ambiguous: every `every`-th INSERT reaches ClickHouse, which executes it,
 * and its connection is cut as the answer starts, `limit` times. Retries of a cut insert
 * are refused (connection reset) until the rows of the first attempt were found in
 * ClickHouse, so each retry provably repeats an insert that already landed.
 */
export class AmbiguousInserts {
  readonly cuts: CutInsert[] = [];
  readonly #held = new Set<string>();
  readonly #rules: ActiveProxyRule[];
  readonly #verifying: Promise<void>[] = [];

  constructor(
    proxy: TcpProxy,
    clickhouse: ClickHouseClient,
    table: string,
    options: { every: number; limit: number },
  ) {
    let seen = 0;
    this.#rules = [
      // Retries of a cut insert wait here until its first attempt was seen in ClickHouse.
      proxy.addRule({
        action: 'reset',
        match: (request) => isInsert(request) && this.#held.has(tokenOf(request)),
      }),
      proxy.addRule({
        action: 'cut-after-request',
        limit: options.limit,
        match: (request) => {
          if (!isInsert(request) || ++seen % options.every !== 0) return false;
          const cut: CutInsert = { token: tokenOf(request), landedBeforeRetry: 0 };
          this.cuts.push(cut);
          this.#held.add(cut.token);
          this.#verifying.push(this.#verify(clickhouse, table, cut));
          return true;
        },
      }),
    ];
  }

  /** Stops cutting; waits for every cut to be verified and released. */
  async close(): Promise<void> {
    for (const rule of this.#rules) rule.remove();
    await Promise.all(this.#verifying);
  }

  async #verify(clickhouse: ClickHouseClient, table: string, cut: CutInsert): Promise<void> {
    const range = parseToken(cut.token);
    try {
      if (range === undefined) return;
      // The cut came as the answer started, so the insert ran; on a busy server reading it
      // back may take a while (a failure bound, the retry waits meanwhile).
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && cut.landedBeforeRetry === 0) {
        await sleep(250);
        const [row] = await queryRows<{ n: string }>(
          clickhouse,
          `SELECT count() AS n FROM ${table} WHERE _partition = {p:UInt16} AND _offset BETWEEN {first:UInt64} AND {last:UInt64}`,
          { p: range.partition, first: range.first, last: range.last },
        );
        cut.landedBeforeRetry = Number(row?.n ?? 0);
      }
    } finally {
      this.#held.delete(cut.token);
    }
  }
}
