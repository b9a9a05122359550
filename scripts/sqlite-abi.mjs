#!/usr/bin/env node
/**
 * better-sqlite3 must be compiled for the runtime that loads it (STYLE.md,
 * "Known trap"). The Node build lives in node_modules as npm installs it, for
 * the tests and the browser host. The Electron build is kept beside it in
 * .cache/sqlite-electron/<electron version>/, and the Electron host passes it
 * to better-sqlite3 as `nativeBinding`, so neither build overwrites the other.
 *
 *   node scripts/sqlite-abi.mjs node       check the Node build; rebuild it if the ABI differs
 *   node scripts/sqlite-abi.mjs electron   build the Electron binary once per Electron version
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const mode = process.argv[2];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function nodeBuildWorks() {
  try {
    const Database = require('better-sqlite3');
    new Database(':memory:').close();
    return true;
  } catch (error) {
    if (/NODE_MODULE_VERSION|was compiled against|invalid ELF|Could not locate the bindings/.test(String(error))) return false;
    throw error;
  }
}

if (mode === 'node') {
  if (!nodeBuildWorks()) {
    console.log('Rebuilding better-sqlite3 for Node', process.versions.node, '…');
    execFileSync(npm, ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit' });
    if (!nodeBuildWorks()) {
      console.error('better-sqlite3 still does not load in Node; see the README, "Native modules".');
      process.exit(1);
    }
  }
} else if (mode === 'electron') {
  const electronVersion = require('electron/package.json').version;
  const target = join(root, '.cache', 'sqlite-electron', electronVersion, 'better_sqlite3.node');
  if (!existsSync(target)) {
    console.log(`Building better-sqlite3 for Electron ${electronVersion} (once) …`);
    const source = dirname(require.resolve('better-sqlite3/package.json'));
    const work = mkdtempSync(join(tmpdir(), 'teamline-sqlite-'));
    try {
      cpSync(source, work, { recursive: true, filter: (p) => !p.includes(`${join('build', 'Release')}`) });
      const env = { ...process.env, npm_config_runtime: 'electron', npm_config_target: electronVersion, npm_config_disturl: 'https://electronjs.org/headers' };
      try {
        execFileSync(process.execPath, [require.resolve('prebuild-install/bin.js'), '--runtime=electron', `--target=${electronVersion}`], { cwd: work, env, stdio: 'inherit' });
      } catch {
        execFileSync(process.execPath, [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers'], { cwd: work, env, stdio: 'inherit' });
      }
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(work, 'build', 'Release', 'better_sqlite3.node'), target);
    } catch (error) {
      console.error(`Could not build better-sqlite3 for Electron ${electronVersion}: ${error instanceof Error ? error.message : error}`);
      console.error('Electron needs its own build of this native module; check your network and C++ toolchain, then run `npm start` again.');
      process.exit(1);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
} else {
  console.error('usage: node scripts/sqlite-abi.mjs node|electron');
  process.exit(2);
}
