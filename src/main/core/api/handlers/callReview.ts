import type { CallAnnotations, Dashboard, DashboardCell } from '../../../../shared/api/callReview';
import { formatE164 } from '../../../../shared/phone';
import { can, type Actor, type CallFacts } from '../../policy';
import { callFacts } from '../../store/repos/calls';
import {
  addTagToCall,
  dashboardNames,
  deleteNote,
  deleteTag,
  editNote,
  getNote,
  getTag,
  insertNote,
  insertTag,
  listTags,
  notesOf,
  removeTagFromCall,
  renameTag,
  tagNamed,
  tagsOf,
  type NoteRecord,
} from '../../store/repos/callReview';
import { audit } from '../audit';
import type { AuthedCtx } from '../context';
import { ApiFailure, enforce, invalid, notFound } from '../failure';
import type { Handlers } from '../handler';
import { mustSeeCall } from './calls';
import { dashboardFigures } from './dashboardFigures';
import { knownTimezone, localDate, localMidnight, offsetSegments } from './dashboardTime';
import { checkFilterIds } from './lists';

/** The longest range a dashboard covers: a year and a bit, so a whole year compares with the last. */
export const DASHBOARD_MAX_DAYS = 400;

const noteNotFound = () =>
  new ApiFailure('not_found', 'That note was not found, or its call is outside your call access.');

/** Notes and tags of calls the actor may see, with what the actor may do with each note. */
function annotationsOf(ctx: AuthedCtx, calls: readonly { id: number; facts: CallFacts }[]) {
  const ids = calls.map((c) => c.id);
  const facts = new Map(calls.map((c) => [c.id, c.facts]));
  const out = new Map<number, CallAnnotations>(ids.map((id) => [id, { notes: [], tags: [] }]));
  for (const n of notesOf(ctx.db, ids)) {
    const call = facts.get(n.callId)!;
    out.get(n.callId)!.notes.push({
      ...n,
      canEdit: can(ctx.actor, 'callNote.edit', { call, authorId: n.authorId }).allowed,
      canDelete: can(ctx.actor, 'callNote.delete', { call, authorId: n.authorId }).allowed,
    });
  }
  for (const { callId, ...tag } of tagsOf(ctx.db, ids)) out.get(callId)!.tags.push(tag);
  return out;
}

const annotationsOfCall = (ctx: AuthedCtx, callId: number, facts: CallFacts) =>
  annotationsOf(ctx, [{ id: callId, facts }]).get(callId)!;

/** Others who see the call re-read it. */
const callChanged = (ctx: AuthedCtx, call: CallFacts) => ctx.emit('calls.changed', { kind: 'call', call });

function mustGetTag(ctx: AuthedCtx, tagId: number) {
  const tag = getTag(ctx.db, ctx.actor.accountId, tagId);
  if (!tag) throw notFound('That tag');
  return tag;
}

function mustBeFreeName(ctx: AuthedCtx, name: string, exceptId: number | null) {
  const other = tagNamed(ctx.db, ctx.actor.accountId, name, exceptId);
  if (other) throw new ApiFailure('conflict', `There is already a tag "${other.name}".`, { name: 'Already a tag' });
}

/** The note and its call, when the call is one the actor may see; otherwise as if there were no such note. */
function mustSeeNote(ctx: AuthedCtx, noteId: number): { note: NoteRecord; call: CallFacts } {
  const note = getNote(ctx.db, ctx.actor.accountId, noteId);
  const call = note && callFacts(ctx.db, ctx.actor.accountId, note.callId);
  if (!note || !call || !can(ctx.actor, 'call.view', call).allowed) throw noteNotFound();
  return { note, call };
}

const preview = (body: string) => (body.length > 60 ? `${body.slice(0, 57)}…` : body);

export const callTagsHandlers: Handlers<'callTags'> = {
  'callTags.list': (ctx) => listTags(ctx.db, ctx.actor.accountId),

  'callTags.create': (ctx, { name }) => {
    enforce(can(ctx.actor, 'callTag.manage', {}));
    mustBeFreeName(ctx, name, null);
    const id = insertTag(ctx.db, ctx.actor.accountId, name, ctx.now());
    audit(ctx, 'callTag.create', { type: 'callTag', id }, `Created the call tag "${name}"`, null, { name });
    ctx.emit('calls.changed', { kind: 'account', accountId: ctx.actor.accountId });
    return { id, name };
  },

  'callTags.rename': (ctx, { tagId, name }) => {
    const tag = mustGetTag(ctx, tagId);
    enforce(can(ctx.actor, 'callTag.manage', {}));
    if (tag.name === name) return tag;
    mustBeFreeName(ctx, name, tagId);
    renameTag(ctx.db, tagId, name);
    audit(
      ctx,
      'callTag.rename',
      { type: 'callTag', id: tagId },
      `Renamed the call tag "${tag.name}" to "${name}"`,
      { name: tag.name },
      { name },
    );
    ctx.emit('calls.changed', { kind: 'account', accountId: ctx.actor.accountId });
    return { id: tagId, name };
  },

  'callTags.delete': (ctx, { tagId }) => {
    const tag = mustGetTag(ctx, tagId);
    enforce(can(ctx.actor, 'callTag.manage', {}));
    const calls = deleteTag(ctx.db, tagId);
    audit(
      ctx,
      'callTag.delete',
      { type: 'callTag', id: tagId },
      `Deleted the call tag "${tag.name}" (it was on ${calls} call${calls === 1 ? '' : 's'})`,
      { name: tag.name, calls },
      null,
    );
    ctx.emit('calls.changed', { kind: 'account', accountId: ctx.actor.accountId });
    return null;
  },
};

export const callAnnotationsHandlers: Handlers<'callAnnotations'> = {
  'callAnnotations.get': (ctx, { callId }) => annotationsOfCall(ctx, callId, mustSeeCall(ctx, callId)),

  'callAnnotations.list': (ctx, { callIds }) => {
    const unique = [...new Set(callIds)];
    const calls = unique.map((id) => ({ id, facts: mustSeeCall(ctx, id) }));
    const all = annotationsOf(ctx, calls);
    return unique.map((callId) => ({ callId, annotations: all.get(callId)! }));
  },

  'callAnnotations.addTag': (ctx, { callId, tagId }) => {
    const call = mustSeeCall(ctx, callId);
    mustGetTag(ctx, tagId);
    enforce(can(ctx.actor, 'call.annotate', call));
    if (addTagToCall(ctx.db, callId, tagId, ctx.actor.userId, ctx.now())) callChanged(ctx, call);
    return annotationsOfCall(ctx, callId, call);
  },

  'callAnnotations.removeTag': (ctx, { callId, tagId }) => {
    const call = mustSeeCall(ctx, callId);
    mustGetTag(ctx, tagId);
    enforce(can(ctx.actor, 'call.annotate', call));
    if (removeTagFromCall(ctx.db, callId, tagId)) callChanged(ctx, call);
    return annotationsOfCall(ctx, callId, call);
  },
};

export const callNotesHandlers: Handlers<'callNotes'> = {
  'callNotes.add': (ctx, { callId, body }) => {
    const call = mustSeeCall(ctx, callId);
    enforce(can(ctx.actor, 'call.annotate', call));
    const id = insertNote(ctx.db, callId, ctx.actor.userId, body, ctx.now());
    audit(ctx, 'callNote.add', { type: 'call', id: callId }, `Added a note to a call: "${preview(body)}"`, null, {
      noteId: id,
      body,
    });
    callChanged(ctx, call);
    return annotationsOfCall(ctx, callId, call);
  },

  'callNotes.edit': (ctx, { noteId, body }) => {
    const { note, call } = mustSeeNote(ctx, noteId);
    enforce(can(ctx.actor, 'callNote.edit', { call, authorId: note.authorId }));
    if (note.body !== body) {
      editNote(ctx.db, noteId, body, ctx.now());
      audit(
        ctx,
        'callNote.edit',
        { type: 'call', id: note.callId },
        `Edited a note on a call: "${preview(body)}"`,
        { noteId, body: note.body },
        { noteId, body },
      );
      callChanged(ctx, call);
    }
    return annotationsOfCall(ctx, note.callId, call);
  },

  'callNotes.delete': (ctx, { noteId }) => {
    const { note, call } = mustSeeNote(ctx, noteId);
    enforce(can(ctx.actor, 'callNote.delete', { call, authorId: note.authorId }));
    deleteNote(ctx.db, noteId);
    const whose = note.authorId === ctx.actor.userId ? 'their own' : `${note.authorName}'s`;
    audit(
      ctx,
      'callNote.delete',
      { type: 'call', id: note.callId },
      `Deleted ${whose} note on a call: "${preview(note.body)}"`,
      { noteId, authorId: note.authorId, body: note.body },
      null,
    );
    callChanged(ctx, call);
    return annotationsOfCall(ctx, note.callId, call);
  },
};

const emptyCell = (): DashboardCell => ({
  total: 0,
  answered: 0,
  missed: 0,
  voicemail: 0,
  waitMs: 0,
  waitCount: 0,
  talkMs: 0,
  talkCount: 0,
});

const cellOf = ({ kind: _k, key: _key, ...cell }: DashboardCell & { kind: string; key: number | null }) => cell;

const byTotal = <T extends { total: number; name: string }>(a: T, b: T) =>
  b.total - a.total || (a.name < b.name ? -1 : 1);

/** Everything the dashboard shows, from the calls the actor may see (the calls list's branches and filters). */
export function dashboard(
  ctx: AuthedCtx,
  actor: Actor,
  f: Omit<Parameters<Handlers<'dashboard'>['dashboard.get']>[1], never>,
): Dashboard {
  const { timezone, from, to } = f;
  if (!knownTimezone(timezone)) throw invalid('Not a known time zone', { timezone: 'Not a known time zone' });
  if (to <= from) throw invalid('The range must end after it starts', { to: 'Ends before it starts' });
  if (to - from > DASHBOARD_MAX_DAYS * 86_400_000) {
    throw invalid(`A dashboard covers at most ${DASHBOARD_MAX_DAYS} days`, { to: 'Too long a range' });
  }
  checkFilterIds(ctx, f);
  const { rows } = dashboardFigures(ctx.db, actor, f, offsetSegments(timezone, from, to));

  const totals = rows.find((r) => r.kind === 'total');
  const of = (kind: string) => rows.filter((r) => r.kind === kind);
  const names = dashboardNames(ctx.db, actor.accountId, {
    bn: of('bn').flatMap((r) => (r.key === null ? [] : [r.key])),
    flow: of('flow').flatMap((r) => (r.key === null ? [] : [r.key])),
    group: of('group').flatMap((r) => (r.key === null ? [] : [r.key])),
    agent: of('agent').flatMap((r) => (r.key === null ? [] : [r.key])),
  });
  const named = (kind: string, name: (key: number) => string | undefined, none: string) =>
    of(kind)
      .map((r) => ({ ...cellOf(r), key: r.key, name: r.key === null ? none : (name(r.key) ?? `#${r.key}`) }))
      .sort(byTotal);
  const bn = new Map(names.bn.map((n) => [n.id, n.label ? `${n.label} ${formatE164(n.e164)}` : formatE164(n.e164)]));
  const flow = new Map(names.flow.map((n) => [n.id, n.name]));
  const group = new Map(names.group.map((n) => [n.id, n.name]));
  const agent = new Map(names.agent.map((n) => [n.id, `${n.name} (${n.extension})`]));

  const hours = new Map(of('hour').map((r) => [r.key!, cellOf(r)]));
  const days = new Map(of('day').map((r) => [r.key!, cellOf(r)]));
  const firstDay = Math.floor((from + offsetSegments(timezone, from, from)[0]!.offset) / 86_400_000);
  const lastDay = Math.floor((to - 1 + offsetSegments(timezone, to - 1, to - 1)[0]!.offset) / 86_400_000);
  const byDay: Dashboard['byDay'] = [];
  for (let d = firstDay; d <= lastDay; d++) {
    byDay.push({
      ...(days.get(d) ?? emptyCell()),
      day: localDate(d),
      // The list's link covers the part of the day inside the range.
      start: Math.max(from, localMidnight(timezone, d)),
      end: Math.min(to, localMidnight(timezone, d + 1)),
    });
  }
  return {
    from,
    to,
    timezone,
    totals: totals ? cellOf(totals) : emptyCell(),
    byHour: Array.from({ length: 24 }, (_, hour) => ({ ...(hours.get(hour) ?? emptyCell()), hour })),
    byDay,
    busiest: of('slot').map((r) => ({
      ...cellOf(r),
      start: Math.max(from, r.key!),
      end: Math.min(to, r.key! + 3_600_000),
    })),
    byNumber: named('bn', (k) => bn.get(k), 'No business number (internal)'),
    byFlow: named('flow', (k) => flow.get(k), 'No call flow'),
    byGroup: named('group', (k) => group.get(k), 'No group'),
    byAgent: named('agent', (k) => agent.get(k), '').map((r) => ({ ...r, key: r.key! })),
  };
}

export const dashboardHandlers: Handlers<'dashboard'> = {
  'dashboard.get': (ctx, f) => dashboard(ctx, ctx.actor, f),
};
