/** A cell: numbers are printed with thousands separators and aligned right. */
export type Cell = string | number;

/** Text that reads as an amount ("$12.3400", "1,234") aligns right like a number. */
const AMOUNT = /^\$?-?[\d,]+(\.\d+)?$/;

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatCell(cell: Cell): string {
  return typeof cell === 'number' ? NUMBER.format(cell) : cell;
}

/**
 * A plain-text table: a header line, then one line per row, columns two spaces apart,
 * columns of numbers (or amounts) right-aligned; every line indented by two spaces. No borders: it reads like a
 * `clickhouse-client` result and pastes into Markdown as text.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
): string[] {
  const text = rows.map((row) => row.map(formatCell));
  const right = headers.map((_, i) => rows.length > 0 && rows.every((row) => isAmount(row[i])));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...text.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `  ${cells
      .map((cell, i) =>
        right[i] === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')}`.trimEnd();
  return [line(headers), ...text.map(line)];
}

function isAmount(cell: Cell | undefined): boolean {
  return typeof cell === 'number' || (cell !== undefined && AMOUNT.test(cell));
}
