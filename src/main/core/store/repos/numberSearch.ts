import type { Db } from '../db';
import { stmt } from '../stmt';

/**
 * A list search (POLICY.md's lists: part of the outside number, or part of a
 * contact's name) resolved to the outside numbers it matches, when that is
 * the cheaper way to a page (docs/performance.md, "Searches and filters").
 *
 * Digits are looked up as the start of a suffix of the account's outside
 * numbers (external_number_parts, migration 016: one index range, as long
 * as the numbers that match), names in the contacts. When they match few numbers whose
 * calls are few, the page is driven by those numbers' calls
 * (policy/listSql.ts callNumberPageSql): a search that matches nothing, or a
 * rare number, costs a few lookups. When they match many, the matches are
 * dense in every list and the branches' own scans fill a page quickly, so
 * `null` sends the search back to them.
 */
export const MAX_NUMBERS = 2000;

const LIKE_ESCAPE = /[\\%_]/g;
const like = (s: string) => `%${s.replace(LIKE_ESCAPE, (m) => `\\${m}`)}%`;

/** Suffixes are kept from three characters: two digits match most numbers anyway. */
const MIN_INDEXED_DIGITS = 3;

export interface NumberMatch {
  numbers: string[];
  /** How many calls carry them: what a page driven by them reads at most. */
  calls: number;
}

const byName = `SELECT k.phone AS number,
         coalesce((SELECT e.calls FROM external_numbers e WHERE e.account_id = k.account_id AND e.number = k.phone), 0) AS calls
    FROM (SELECT phone, account_id FROM contacts WHERE account_id = ? AND name LIKE ? ESCAPE '\\' LIMIT ${MAX_NUMBERS + 1}) k`;
/** The numbers of this account with a suffix that starts with the digits: those containing them (migration 016). */
const digitHits = `SELECT DISTINCT s.number_id FROM external_number_parts s
   WHERE s.account_id = ? AND s.part >= ? AND s.part < ? LIMIT ${MAX_NUMBERS + 1}`;
const byDigits = `SELECT n.number, n.calls FROM external_numbers n WHERE n.id IN (${digitHits})`;

/**
 * At most how many suffixes start with the digits, counted up to one past the
 * limit: a number holds the digits once or more, so more than MAX_NUMBERS
 * suffixes is what sends a short search (an area code) to the scan, decided
 * from the index alone before any number is read.
 */
const PART_COUNT = `SELECT count(*) FROM (SELECT 1 FROM external_number_parts
   WHERE account_id = ? AND part >= ? AND part < ? LIMIT ${MAX_NUMBERS + 1})`;

/** Parameters: with digits (account, from, below), then (account, name pattern). */
const MATCH_SQL = {
  digits: `SELECT count(*) AS n, coalesce(sum(calls), 0) AS calls, json_group_array(number) AS numbers
  FROM (${byDigits} UNION ${byName})`,
  name: `SELECT count(*) AS n, coalesce(sum(calls), 0) AS calls, json_group_array(number) AS numbers FROM (${byName})`,
};

/** Above every text that starts with a given prefix (the largest code point, after it). */
const ABOVE = String.fromCodePoint(0x10ffff);

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
  if (
    digits &&
    (stmt(db, PART_COUNT)
      .pluck()
      .get(accountId, digits, digits + ABOVE) as number) > MAX_NUMBERS
  )
    return null;
  const r = (
    digits
      ? stmt(db, MATCH_SQL.digits).get(accountId, digits, digits + ABOVE, accountId, like(text))
      : stmt(db, MATCH_SQL.name).get(accountId, like(text))
  ) as {
    n: number;
    calls: number;
    numbers: string;
  };
  if (r.n > MAX_NUMBERS || r.calls > callBudget) return null;
  return { numbers: JSON.parse(r.numbers) as string[], calls: r.calls };
}

/**
 * The numbers of the contacts whose name contains the search, for a search
 * the branches scan (policy/listSql.ts CallListFilter.contactNumbers): one
 * pass over the account's contacts per request, instead of one per branch.
 */
export function contactNumbers(db: Db, accountId: number, search: string): string[] {
  return stmt(db, "SELECT DISTINCT phone FROM contacts WHERE account_id = ? AND name LIKE ? ESCAPE '\\'")
    .pluck()
    .all(accountId, like(search.trim())) as string[];
}
