import type Database from 'better-sqlite3';

/**
 * A list page as one value: the statement selects
 * json_group_array(json_array(<a row's values>)) and this parses it.
 *
 * A page is mostly the cost of turning ~1,000 SQLite values into JS values.
 * better-sqlite3 sets each value of each row through the V8 API, one call
 * per value; SQLite writes the same values as JSON text quickly, and one
 * JSON.parse builds every row array at once. For a page of 50 calls that is
 * about a third less time than reading the same columns in raw mode, and one
 * string instead of a row array per row to collect (docs/performance.md). The
 * values are the same: integers (ids, millisecond times) stay below 2^53,
 * TEXT becomes strings, NULL null.
 */
export function jsonPage(statement: Database.Statement, params: readonly unknown[]): unknown[][] {
  const text = statement.pluck(true).get(...params) as string | null | undefined;
  return text ? (JSON.parse(text) as unknown[][]) : [];
}

/**
 * SQL leaves the order of an aggregate's rows unspecified. SQLite appends
 * them in the order its loop makes them, which for a page statement is the
 * page query's order; this checks that (one pass) and sorts by the list key,
 * newest first and then highest id, if it ever is not so. Rows of one call
 * (one per participant) share the key, so they stay together either way.
 */
export function inListOrder(rows: unknown[][], keyAt: number, idAt: number): unknown[][] {
  const before = (a: unknown[], b: unknown[]) => {
    const ka = a[keyAt] as number;
    const kb = b[keyAt] as number;
    return ka > kb || (ka === kb && (a[idAt] as number) > (b[idAt] as number));
  };
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!;
    const b = rows[i]!;
    if (before(b, a)) return rows.sort((x, y) => (before(x, y) ? -1 : before(y, x) ? 1 : 0));
  }
  return rows;
}
