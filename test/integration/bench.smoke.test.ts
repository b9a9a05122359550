import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench, smokeOptions } from '../bench/run';
import type { BenchResults } from '../bench/report';

/**
 * `npm run bench` takes minutes and is not part of the suite; this runs the
 * very same code at 10k calls, one iteration, so it cannot rot. It checks
 * that every section is there and that the alternatives agree with the app,
 * never a timing.
 */
describe('bench smoke run (10k calls, one iteration)', () => {
  it('writes results.json and RESULTS.md with every section', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'teamline-bench-'));
    try {
      // A section measured by another script, and one the bench writes itself, in the file a run replaces.
      writeFileSync(
        join(dir, 'RESULTS.md'),
        '# Benchmark results\n\n## Targets\n\nold table\n\n## Issue 15 targets (measured elsewhere)\n\n| target | met |\n| --- | --- |\n| kept | yes |\n',
      );
      const r = await runBench(smokeOptions(dir, join(dir, 'data')));
      const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchResults;
      expect(json.targets).toEqual(r.targets);

      expect(r.meta.versions).toHaveProperty('SQLite');
      expect(r.meta.versions).toHaveProperty('Node');
      expect(r.dataset.counts.calls).toBe(10_000);
      expect(r.dataset.counts.users).toBe(1_000);

      // a. decisions: three engines, and the two others decide exactly as can() does.
      for (const e of [r.decisions.ours, r.decisions.casl, r.decisions.casbin])
        expect(e.nsPerDecision).toBeGreaterThan(0);
      expect(r.decisions.disagreements).toEqual({ casl: 0, casbin: 0 });

      // b. lists: every access level, three lists, first and deep page, each the same page three ways.
      const [run] = r.lists;
      expect(new Set(run!.actors.map((a) => a.level))).toEqual(
        new Set(['personal', 'group', 'callflow', 'numbers', 'all']),
      );
      expect(run!.actors.some((a) => a.key === 'groups')).toBe(true);
      expect(run!.results).toHaveLength(run!.actors.length * 3 * 2);
      for (const x of run!.results) {
        expect(x.keyset.n, `${x.label} ${x.list} ${x.page}`).toBe(1);
        expect(x.samePage, `${x.label} ${x.list} ${x.page}`).toBe(true);
        if (x.page === 'deep') expect(x.offset).not.toBeNull();
      }
      expect(r.plans.filter((p) => p.fullScan || p.tempBtree)).toEqual([]);

      // c, d, e.
      expect(r.writes.callInsert.n).toBe(1);
      expect(Object.keys(r.writes.accessChangeByKind)).toEqual([
        'users.setRole',
        'users.setCallAccess',
        'groups.setMembers',
      ]);
      expect(r.payload.map((p) => p.list)).toEqual(['calls', 'voicemails', 'threads']);
      for (const p of r.payload) expect(p.jsonBytes).toBeGreaterThan(0);
      expect(r.memory.peakRssMB).toBeGreaterThan(0);
      expect(r.memory.requests).toBe(run!.results.length);

      expect(r.targets.map((t) => t.id)).toEqual([
        'list-first-p99',
        'list-deep-p99',
        'deep-vs-first',
        'can-ns',
        'can-vs-casl',
        'call-insert-p95',
        'access-change-p95',
        'peak-rss',
        'dashboard-p99',
      ]);
      // f. dashboard: every actor, four filters, and the rollups give the scan's figures.
      expect(r.dashboard).toHaveLength(run!.actors.length * 4);
      for (const x of r.dashboard!) expect(x.same, `${x.label} ${x.filter}`).toBe(true);
      // Every wider-than-personal viewer's whole range and a direction filter come from the rollups.
      const wide = r.dashboard!.filter(
        (x) => !x.label.startsWith('personal') && ['none', 'inbound'].includes(x.filter),
      );
      expect(wide.length).toBeGreaterThan(0);
      for (const x of wide) expect(x.source, `${x.label} ${x.filter}`).toBe('rollup');
      const md = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
      for (const heading of [
        '## Targets',
        '## a. Single decisions',
        '## b. Role-filtered lists',
        '## Growth with history size',
        '## c. Writes',
        '## d. Payload',
        '## e. Memory',
        '## f. Dashboard',
        '## Query plans',
      ]) {
        expect(md).toContain(heading);
      }
      // The section no part of the bench writes is kept; the one it writes is replaced.
      expect(md).toContain('## Issue 15 targets (measured elsewhere)\n\n| target | met |');
      expect(md).not.toContain('old table');
      expect(md.match(/^## Targets$/gm)).toHaveLength(1);
      expect(readFileSync(join(dir, 'DASHBOARD.md'), 'utf8')).toContain('## Targets');
      expect(md).toMatch(/SQLite \d/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
