/**
 * Rollups of the calls for the dashboard (docs/performance.md, "The
 * dashboard"): kept by triggers, so every write of a call or of a
 * participant — the phone service's records, the demo, imports, a later
 * correction of a call's result — updates them in its own transaction, and
 * no writer can forget to.
 *
 * - `call_rollup_time`: per account, business number, call flow and group
 *   (`dim` a, b, f, g; `val` its id), per UTC quarter hour and per UTC hour
 *   (`span`), the calls started in that bucket. Quarter hours, because every
 *   time zone's offset and change of offset is a whole number of quarter
 *   hours; hours, because most zones' are whole hours, and a quarter of the
 *   rows is faster to read.
 * - `call_rollup_cum`: running totals per quarter hour of each series in
 *   `call_rollup_series` — a combination of number, flow and group (`c`), or
 *   one person's calls in the account, a number, a flow or a group (a, b, f,
 *   g with `user_id`). A range's figure of a series is two seeks: the
 *   running total before its end less the one before its start.
 *
 * Every figure is split by direction (i inbound, o outbound, x internal)
 * into: answered, missed and voicemail counts; the sum and count of waits
 * before answer; the sum and count of talk times (answered calls whose times
 * are in order, exactly as the scan counts them).
 */

const DIRS = [
  ['i', 'inbound'],
  ['o', 'outbound'],
  ['x', 'internal'],
] as const;
const FIELDS = ['a', 'm', 'v', 'ws', 'wn', 'ts', 'tn'] as const;
const COLS = DIRS.flatMap(([d]) => FIELDS.map((f) => `${d}_${f}`));

/** The 21 figures of one call (row alias `r`: NEW., OLD. or c.), times `sign`, named as the columns. */
const deltas = (r: string, sign: 1 | -1): string[] => deltaExprs(r, sign).map((e, i) => `${e} AS ${COLS[i]}`);

function deltaExprs(r: string, sign: 1 | -1): string[] {
  const s = sign === 1 ? '' : '-';
  return DIRS.flatMap(([, direction]) => {
    const is = `${r}direction = '${direction}'`;
    const answered = `${is} AND ${r}result = 'answered'`;
    const waited = `${answered} AND ${r}answered_at >= ${r}started_at`;
    const talked = `${answered} AND ${r}ended_at >= ${r}answered_at`;
    return [
      `${s}(${answered})`,
      `${s}(${is} AND ${r}result = 'missed')`,
      `${s}(${is} AND ${r}result = 'voicemail')`,
      `${s}(CASE WHEN ${waited} THEN ${r}answered_at - ${r}started_at ELSE 0 END)`,
      `${s}coalesce(${waited}, 0)`,
      `${s}(CASE WHEN ${talked} THEN ${r}ended_at - ${r}answered_at ELSE 0 END)`,
      `${s}coalesce(${talked}, 0)`,
    ];
  });
}

const QUARTER = 900_000;
const DIMS = `(SELECT 'a' AS dim UNION ALL SELECT 'b' UNION ALL SELECT 'f' UNION ALL SELECT 'g') d`;
const dimVal = (r: string) =>
  `CASE d.dim WHEN 'a' THEN ${r}account_id WHEN 'b' THEN ${r}bn_id WHEN 'f' THEN ${r}call_flow_id ELSE ${r}group_id END`;

/** The time buckets of one call row. */
function timeKeys(r: string, from: string, sign: 1 | -1): string {
  return `SELECT * FROM (SELECT d.dim AS dim, ${dimVal(r)} AS val, s.span AS span,
      ${r}started_at - ${r}started_at % s.span AS t, ${deltas(r, sign).join(', ')}
    FROM ${from}${DIMS} CROSS JOIN (SELECT ${QUARTER} AS span UNION ALL SELECT 3600000) s) WHERE val IS NOT NULL`;
}

/** The call's combination series. */
const comboKeys = (r: string, from: string, sign: 1 | -1) =>
  `SELECT ${r}account_id AS account_id, 'c' AS dim, 0 AS val, 0 AS user_id, coalesce(${r}bn_id, 0) AS bn,
      coalesce(${r}call_flow_id, 0) AS flow, coalesce(${r}group_id, 0) AS grp,
      ${r}started_at - ${r}started_at % ${QUARTER} AS q, ${deltas(r, sign).join(', ')} FROM ${from || '(SELECT 1)'}`;

/** The series of the call's participants (`user` names the user id column). */
const personKeys = (r: string, user: string, from: string, where: string, sign: 1 | -1) =>
  `SELECT * FROM (SELECT ${r}account_id AS account_id, d.dim AS dim, ${dimVal(r)} AS val, ${user} AS user_id,
      0 AS bn, 0 AS flow, 0 AS grp, ${r}started_at - ${r}started_at % ${QUARTER} AS q, ${deltas(r, sign).join(', ')}
    FROM ${from}${DIMS}${where}) WHERE val IS NOT NULL`;

const SERIES_KEY = 'account_id, dim, val, user_id, bn, flow, grp';
const seriesJoin = (k: string) =>
  `JOIN call_rollup_series s ON s.account_id = ${k}.account_id AND s.dim = ${k}.dim AND s.val = ${k}.val
    AND s.user_id = ${k}.user_id AND s.bn = ${k}.bn AND s.flow = ${k}.flow AND s.grp = ${k}.grp`;

/**
 * Adds one call's figures to some running-total series: `keys` names the
 * series (with the call's quarter `q`), `call` is how the statement reads
 * the call's row: NEW./OLD. directly, or a row of `calls c` by a condition.
 * The running totals from the call's quarter on all grow by the call's
 * figures; a series' row for that quarter is first made from the one before.
 */
function bump(keys: string, call: { prefix: string; where?: string }, sign: 1 | -1): string {
  const read = (expr: string) => (call.where ? `(SELECT ${expr} FROM calls c WHERE ${call.where})` : `(${expr})`);
  const q = read(`${call.prefix}started_at - ${call.prefix}started_at % ${QUARTER}`);
  const add = deltaExprs(call.prefix, sign).map((e, i) => `${COLS[i]} = ${COLS[i]} + ${read(e)}`);
  return `
INSERT OR IGNORE INTO call_rollup_series (${SERIES_KEY}) SELECT ${SERIES_KEY} FROM (${keys});
INSERT OR IGNORE INTO call_rollup_cum (series_id, q, ${COLS.join(', ')})
  SELECT s.id, k.q, ${COLS.map((c) => `coalesce(p.${c}, 0)`).join(', ')} FROM (${keys}) k ${seriesJoin('k')}
  LEFT JOIN call_rollup_cum p ON p.series_id = s.id
    AND p.q = (SELECT max(x.q) FROM call_rollup_cum x WHERE x.series_id = s.id AND x.q < k.q);
UPDATE call_rollup_cum SET ${add.join(', ')}
  WHERE series_id IN (SELECT s.id FROM (${keys}) k ${seriesJoin('k')}) AND q >= ${q};`;
}

function addTime(keys: string): string {
  return `
INSERT INTO call_rollup_time (dim, val, span, t, ${COLS.join(', ')}) ${keys}
  ON CONFLICT (dim, val, span, t) DO UPDATE SET ${COLS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};`;
}

/** Everything one call row (NEW. or OLD.) adds or takes away, its participants included. */
const applyCall = (r: string, sign: 1 | -1) =>
  addTime(timeKeys(r, '', sign)) +
  bump(comboKeys(r, '', sign), { prefix: r }, sign) +
  bump(
    personKeys(r, 'p.user_id', 'call_participants p CROSS JOIN ', ` WHERE p.call_id = ${r}id`, sign),
    { prefix: r },
    sign,
  );

/** One participant row's series, from its call as it is now (none when the call is gone). */
const applyParticipant = (r: string, sign: 1 | -1) =>
  bump(
    personKeys('c.', `${r}user_id`, 'calls c CROSS JOIN ', ` WHERE c.id = ${r}call_id`, sign),
    {
      prefix: 'c.',
      where: `c.id = ${r}call_id`,
    },
    sign,
  );

const colDefs = COLS.map((c) => `  ${c} INTEGER NOT NULL DEFAULT 0`).join(',\n');

/** The rollups of the calls already recorded, computed in one pass each. */
function backfill(): string {
  const running = COLS.map((c, i) => `sum(g.v${i}) OVER (PARTITION BY s.id ORDER BY g.q)`).join(', ');
  const grouped = (keys: string) =>
    `SELECT ${SERIES_KEY}, q, ${COLS.map((c, i) => `sum(${c}) AS v${i}`).join(', ')}
       FROM (${keys}) GROUP BY ${SERIES_KEY}, q`;
  const everyKey = `${comboKeys('c.', 'calls c', 1)}
    UNION ALL ${personKeys('c.', 'p.user_id', 'call_participants p JOIN calls c ON c.id = p.call_id CROSS JOIN ', '', 1)}`;
  return `
INSERT INTO call_rollup_time (dim, val, span, t, ${COLS.join(', ')})
  SELECT dim, val, span, t, ${COLS.map((c) => `sum(${c})`).join(', ')}
    FROM (${timeKeys('c.', 'calls c CROSS JOIN ', 1)}) GROUP BY dim, val, span, t;
CREATE TEMP TABLE call_rollup_backfill AS ${grouped(everyKey)};
INSERT INTO call_rollup_series (${SERIES_KEY}) SELECT DISTINCT ${SERIES_KEY} FROM call_rollup_backfill;
INSERT INTO call_rollup_cum (series_id, q, ${COLS.join(', ')})
  SELECT s.id, g.q, ${running} FROM call_rollup_backfill g ${seriesJoin('g')};
DROP TABLE call_rollup_backfill;
`;
}

export const sql = `
CREATE TABLE call_rollup_time (
  dim  TEXT NOT NULL CHECK (dim IN ('a','b','f','g')),
  val  INTEGER NOT NULL,
  span INTEGER NOT NULL,
  t    INTEGER NOT NULL,
${colDefs},
  PRIMARY KEY (dim, val, span, t)
) STRICT, WITHOUT ROWID;

CREATE TABLE call_rollup_series (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  dim        TEXT NOT NULL CHECK (dim IN ('c','a','b','f','g')),
  val        INTEGER NOT NULL,
  user_id    INTEGER NOT NULL,
  bn         INTEGER NOT NULL,
  flow       INTEGER NOT NULL,
  grp        INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX call_rollup_series_key ON call_rollup_series(${SERIES_KEY});

CREATE TABLE call_rollup_cum (
  series_id INTEGER NOT NULL,
  q         INTEGER NOT NULL,
${colDefs},
  PRIMARY KEY (series_id, q)
) STRICT, WITHOUT ROWID;
${backfill()}
CREATE TRIGGER call_rollup_insert AFTER INSERT ON calls BEGIN${applyCall('NEW.', 1)}
END;
CREATE TRIGGER call_rollup_update
  AFTER UPDATE OF account_id, direction, result, bn_id, started_at, answered_at, ended_at, call_flow_id, group_id ON calls
BEGIN${applyCall('OLD.', -1)}${applyCall('NEW.', 1)}
END;
CREATE TRIGGER call_rollup_delete BEFORE DELETE ON calls BEGIN${applyCall('OLD.', -1)}
END;
CREATE TRIGGER call_participants_rollup_insert AFTER INSERT ON call_participants BEGIN${applyParticipant('NEW.', 1)}
END;
CREATE TRIGGER call_participants_rollup_update AFTER UPDATE OF user_id, call_id ON call_participants
BEGIN${applyParticipant('OLD.', -1)}${applyParticipant('NEW.', 1)}
END;
CREATE TRIGGER call_participants_rollup_delete AFTER DELETE ON call_participants BEGIN${applyParticipant('OLD.', -1)}
END;
`;

/** Column names of the figures, in table order (read by the dashboard's rollup queries). */
export const rollupColumns: readonly string[] = COLS;
