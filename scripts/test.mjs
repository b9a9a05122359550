#!/usr/bin/env node
/**
 * `npm test`: the whole suite, in order — native module check, typecheck,
 * lint, formatting (Prettier), Electron security lint, unit and integration tests (vitest), then the
 * browser end-to-end tests (Playwright) when a Chromium is installed — and
 * one closing line, "N passed, N failed".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const steps = [
  ['native modules', process.execPath, ['scripts/sqlite-abi.mjs', 'node']],
  ['typecheck', npx, ['tsc', '--noEmit', '--composite', 'false', '-p', 'tsconfig.node.json']],
  ['typecheck (renderer)', npx, ['tsc', '--noEmit', '--composite', 'false', '-p', 'tsconfig.web.json']],
  ['lint', npx, ['eslint', '.', '--max-warnings', '0']],
  ['format', npx, ['prettier', '--check', '.']],
  ['electron security lint', process.execPath, ['scripts/electronegativity.mjs']],
  [
    'unit and integration tests',
    npx,
    ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=.cache/vitest.json'],
  ],
];
if (existsSync('playwright.config.ts')) steps.push(['end-to-end tests', npx, ['playwright', 'test']]);

for (const f of ['.cache/vitest.json', '.cache/playwright.json']) rmSync(f, { force: true });
let failedStep = null;
for (const [name, cmd, args] of steps) {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  console.log(`  ${name}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (r.status !== 0) {
    failedStep = name;
    // Keep going through the test runners so the summary counts every test.
    if (!name.includes('tests')) break;
  }
}
if (failedStep) console.error(`\nFailed: ${failedStep}`);
// Last, so that "N passed, N failed" is the closing line.
const summary = spawnSync(process.execPath, ['scripts/test-summary.mjs'], { stdio: 'inherit' });
process.exit(failedStep || summary.status !== 0 ? 1 : 0);
