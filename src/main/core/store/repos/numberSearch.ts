import type { Db } from '../db';
import { stmt } from '../stmt';

/**
 * A list search (POLICY.md's lists: part of the outside number, or part of a
 * contact's name) resolved to the outside numbers it matches, when that is
 * the cheaper way to a page (docs/performance.md, "Searches and filters").
 *
 * Digits are looked up in external_numbers through its trigram index
 * (migration 004), names in the contacts. When they match few numbers whose
 * calls are few, the page is driven by those numbers' calls
 * (policy/listSql.ts callNumberPageSql): a search that matches nothing, or a
 * rare number, costs a few lookups. When they match many, the matches are
 * dense in every list and the branches' own scans fill a page quickly, so
 * `null` sends the search back to them.
 */
export const MAX_NUMBERS = 2000;

const LIKE_ESCAPE = /[\\%_]/g;
const like = (s: string) => `%${s.replace(LIKE_ESCAPE, (m) => `\\${m}`)}%`;

/** Trigrams need three characters: two digits match most numbers anyway. */
const MIN_INDEXED_DIGITS = 3;

export interface NumberMatch {
  numbers: string[];
  /** How many calls carry them: what a page driven by them reads at most. */
  calls: number;
}

const byName = `SELECT k.phone AS number,
         coalesce((SELECT e.calls FROM external_numbers e WHERE e.account_id = k.account_id AND e.number = k.phone), 0) AS calls
    FROM (SELECT phone, account_id FROM contacts WHERE account_id = ? AND name LIKE ? ESCAPE '\\' LIMIT ${MAX_NUMBERS + 1}) k`;
const byDigits = `SELECT n.number, n.calls FROM external_numbers n
   WHERE n.id IN (SELECT rowid FROM external_numbers_fts WHERE number LIKE ? LIMIT ${MAX_NUMBERS + 1}) AND +n.account_id = ?`;

/** Parameters: with digits (pattern, pattern, account), then (account, name pattern). */
const MATCH_SQL = {
  digits: `SELECT (SELECT count(*) FROM (SELECT rowid FROM external_numbers_fts WHERE number LIKE ? LIMIT ${MAX_NUMBERS + 1})) AS digit_hits,
       count(*) AS n, coalesce(sum(calls), 0) AS calls, json_group_array(number) AS numbers
  FROM (${byDigits} UNION ${byName})`,
  name: `SELECT 0 AS digit_hits, count(*) AS n, coalesce(sum(calls), 0) AS calls, json_group_array(number) AS numbers FROM (${byName})`,
};

/**
 * The numbers a search matches in this account, or null when the search
 * should scan instead: too short to look up, too many numbers, or more calls
 * than `callBudget` (what a scan would cost at most for this reader).
 */
export function searchNumbers(db: Db, accountId: number, search: string, callBudget: number): NumberMatch | null {
  const text = search.trim();
  if (!text) return null;
  const digits = text.replace(/[^\d]/g, '');
  if (digits.length > 0 && digits.length < MIN_INDEXED_DIGITS) return null;
  const r = (
    digits
      ? stmt(db, MATCH_SQL.digits).get(like(digits), like(digits), accountId, accountId, like(text))
      : stmt(db, MATCH_SQL.name).get(accountId, like(text))
  ) as {
    digit_hits: number;
    n: number;
    calls: number;
    numbers: string;
  };
  if (r.digit_hits > MAX_NUMBERS || r.n > MAX_NUMBERS || r.calls > callBudget) return null;
  return { numbers: JSON.parse(r.numbers) as string[], calls: r.calls };
}
