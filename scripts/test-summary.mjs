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
}
const playwright = join(cache, 'playwright.json');
if (existsSync(playwright)) {
  const s = JSON.parse(readFileSync(playwright, 'utf8')).stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
}
if (skipped) console.log(`(${skipped} skipped)`);
// Exactly this form, alone on the last line: CI reads it.
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
