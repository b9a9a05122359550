/**
 * Call review (docs/policy-decisions.md, "Notes and tags on calls"):
 *
 * - call_tags: the account's tag list, kept by Administrators. Names are
 *   unique per account whatever their case, so "VIP" and "vip" cannot both
 *   exist.
 * - call_tag_links: which tags a call carries, who added each and when.
 *   call_tag_links_tag drives the calls list's tag filter: for a tag it
 *   gives its calls, which the list then intersects with the visibility
 *   branches.
 * - call_notes: notes on a call, with author and times.
 * - calls_dashboard: every column the dashboard aggregates, in (account,
 *   time) order, so an account-wide dashboard reads the index alone and no
 *   table row (docs/performance.md, "Dashboard").
 */
export const sql = /* sql */ `
CREATE TABLE call_tags (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
  created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX call_tags_name ON call_tags(account_id, name COLLATE NOCASE);

CREATE TABLE call_tag_links (
  call_id  INTEGER NOT NULL REFERENCES calls(id),
  tag_id   INTEGER NOT NULL REFERENCES call_tags(id),
  added_by INTEGER REFERENCES users(id),
  added_at INTEGER NOT NULL,
  PRIMARY KEY (call_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX call_tag_links_tag ON call_tag_links(tag_id, call_id);

CREATE TABLE call_notes (
  id         INTEGER PRIMARY KEY,
  call_id    INTEGER NOT NULL REFERENCES calls(id),
  author_id  INTEGER NOT NULL REFERENCES users(id),
  body       TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  created_at INTEGER NOT NULL,
  edited_at  INTEGER
) STRICT;
CREATE INDEX call_notes_call ON call_notes(call_id, id);

CREATE INDEX calls_dashboard ON calls(account_id, started_at, result, direction, bn_id, call_flow_id, group_id, answered_at, ended_at);
`;
