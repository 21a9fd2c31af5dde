/** What a request did, reported in X-ClickHouse-Summary the way ClickHouse reports it. */
export interface QuerySummary {
  readonly readRows: number;
  readonly readBytes: number;
  readonly writtenRows: number;
  readonly writtenBytes: number;
  readonly resultRows: number;
  readonly resultBytes: number;
  readonly elapsedSeconds: number;
}

export const EMPTY_SUMMARY: QuerySummary = {
  readRows: 0,
  readBytes: 0,
  writtenRows: 0,
  writtenBytes: 0,
  resultRows: 0,
  resultBytes: 0,
  elapsedSeconds: 0,
};

/** JSON with every number as a string, as the server sends it and @clickhouse/client types it. */
export function summaryHeader(summary: QuerySummary): string {
  const elapsedNs = Math.max(0, Math.round(summary.elapsedSeconds * 1e9));
  return JSON.stringify({
    read_rows: String(summary.readRows),
    read_bytes: String(summary.readBytes),
    written_rows: String(summary.writtenRows),
    written_bytes: String(summary.writtenBytes),
    total_rows_to_read: '0',
    result_rows: String(summary.resultRows),
    result_bytes: String(summary.resultBytes),
    elapsed_ns: String(elapsedNs),
    real_time_microseconds: String(Math.round(elapsedNs / 1000)),
  });
}
