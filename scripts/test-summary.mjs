#!/usr/bin/env node
/**
 * Prints one closing line for the whole suite, "N passed, N failed", from the
 * JSON reports of vitest and Playwright, and fails when anything failed or
 * when no test ran at all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const cache = join(process.cwd(), '.cache');
let passed = 0;
let failed = 0;
let skipped = 0;
// The failed tests by name, printed just above the closing line so that the
// tail of a CI log says what failed.
const failures = [];

/** The first non-empty line of an error message, without colour codes, at most 200 characters. */
function firstLine(message) {
  const line = String(message ?? '')
    // eslint-disable-next-line no-control-regex -- the escape that starts a terminal colour code
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .find((l) => l.trim());
  return (line ?? '').trim().slice(0, 200);
}

const vitest = join(cache, 'vitest.json');
if (existsSync(vitest)) {
  const r = JSON.parse(readFileSync(vitest, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  // A file that fails before any test runs (an import or syntax error) has
  // no failed test to count; count the file. (numFailedTestSuites would also
  // count every describe block around a failed test.)
  failed += (r.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  for (const f of r.testResults ?? []) {
    const file = (f.name ?? '').replace(process.cwd() + '/', '');
    const failedTests = (f.assertionResults ?? []).filter((a) => a.status === 'failed');
    if (f.status === 'failed' && failedTests.length === 0) failures.push(`${file}: ${firstLine(f.message)}`);
    for (const a of failedTests)
      failures.push(`${file} › ${a.fullName ?? a.title}: ${firstLine(a.failureMessages?.[0])}`);
  }
}
const playwright = join(cache, 'playwright.json');
if (existsSync(playwright)) {
  const s = JSON.parse(readFileSync(playwright, 'utf8')).stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
  const walk = (suite) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        if (t.status === 'unexpected') {
          const last = (t.results ?? []).at(-1);
          failures.push(`${spec.file}:${spec.line} › ${spec.title}: ${firstLine(last?.error?.message)}`);
        }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of JSON.parse(readFileSync(playwright, 'utf8')).suites ?? []) walk(suite);
}
if (failures.length) console.log(`failed:\n${failures.map((f) => `  ✗ ${f}`).join('\n')}`);
if (skipped) console.log(`(${skipped} skipped)`);
// Exactly this form, alone on the last line: CI reads it.
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
