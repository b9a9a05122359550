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
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
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
    if (/NODE_MODULE_VERSION|was compiled against|invalid ELF|Could not locate the bindings/.test(String(error)))
      return false;
    throw error;
  }
}

if (mode === 'node') {
  if (!nodeBuildWorks()) {
    console.log(`better-sqlite3 does not load in Node ${process.versions.node}; compiling it for this Node …`);
    execFileSync(npm, ['rebuild', 'better-sqlite3', '--build-from-source'], { cwd: root, stdio: 'inherit' });
    if (!nodeBuildWorks()) {
      console.error('better-sqlite3 still does not load in Node; see the README, "Native modules".');
      process.exit(1);
    }
  }
} else if (mode === 'electron') {
  const electronVersion = require('electron/package.json').version;
  // Keep this path in step with src/main/sqliteBinding.ts, which loads it.
  const target = join(root, '.cache', 'sqlite-electron', electronVersion, 'better_sqlite3.node');
  if (!existsSync(target)) buildForElectron(electronVersion, target);
} else {
  console.error('usage: node scripts/sqlite-abi.mjs node|electron');
  process.exit(2);
}

/** Builds better-sqlite3 for Electron in a scratch copy, so node_modules keeps its Node build. */
function buildForElectron(electronVersion, target) {
  console.log(`Building better-sqlite3 for Electron ${electronVersion} (once) …`);
  const source = dirname(require.resolve('better-sqlite3/package.json'));
  const stale = join(source, 'build'); // the Node build; node-gyp would reuse its config
  const work = mkdtempSync(join(tmpdir(), 'teamline-sqlite-'));
  let failure = null;
  try {
    cpSync(source, work, { recursive: true, filter: (p) => p !== stale && !p.startsWith(stale + sep) });
    const env = {
      ...process.env,
      npm_config_runtime: 'electron',
      npm_config_target: electronVersion,
      npm_config_disturl: 'https://electronjs.org/headers',
    };
    // An npmrc `nodedir` (npm exports it to scripts as npm_config_nodedir)
    // would make node-gyp compile against Node's headers: a binary that
    // claims to be for Electron but is not.
    for (const key of Object.keys(env)) if (/^npm_config_(nodedir|node_gyp)$/i.test(key)) delete env[key];
    try {
      execFileSync(
        process.execPath,
        [require.resolve('prebuild-install/bin.js'), '--runtime=electron', `--target=${electronVersion}`, '--verbose'],
        { cwd: work, env, stdio: 'inherit' },
      );
    } catch {
      console.log("No prebuilt binary could be fetched; compiling from source against Electron's headers …");
      execFileSync(
        process.execPath,
        [
          require.resolve('node-gyp/bin/node-gyp.js'),
          'rebuild',
          '--release',
          '--runtime=electron',
          `--target=${electronVersion}`,
          '--dist-url=https://electronjs.org/headers',
        ],
        { cwd: work, env, stdio: 'inherit' },
      );
    }
    const built = join(work, 'build', 'Release', 'better_sqlite3.node');
    checkElectronAbi(built, electronVersion);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(built, `${target}.tmp`);
    renameSync(`${target}.tmp`, target);
    console.log(`better-sqlite3 for Electron ${electronVersion}: ${target}`);
  } catch (error) {
    failure = error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (failure) {
    console.error(
      `\nCould not build better-sqlite3 for Electron ${electronVersion}: ${failure instanceof Error ? failure.message.split('\n')[0] : failure}`,
    );
    console.error(
      'Electron needs its own build of this native module. It is fetched from github.com (prebuilt) or compiled',
    );
    console.error(
      'against headers from electronjs.org, with python3 and a C++ toolchain (build-essential). Check the network',
    );
    console.error('and the toolchain, then run `npm start` again. Tests do not need it: they use the Node build.');
    process.exit(1);
  }
}

/**
 * A binary built for Electron must refuse to load in Node with a
 * NODE_MODULE_VERSION mismatch naming Electron's ABI (node_modules/electron/abi_version).
 * If it loads in Node, it was compiled for Node and would crash the app.
 */
function checkElectronAbi(file, electronVersion) {
  let expected = null;
  try {
    expected = readFileSync(join(dirname(require.resolve('electron/package.json')), 'abi_version'), 'utf8').trim();
  } catch {
    // Older electron packages do not ship abi_version; the load test below still applies.
  }
  try {
    process.dlopen({ exports: {} }, file);
  } catch (error) {
    const found = /NODE_MODULE_VERSION (\d+)/.exec(String(error))?.[1];
    if (found && (expected === null || found === expected)) return;
    throw new Error(
      `the built binary has ABI ${found ?? 'unknown'}, Electron ${electronVersion} needs ${expected ?? 'its own'} (${String(error).split('\n')[0]})`,
    );
  }
  throw new Error(
    `the built binary loads in Node ${process.versions.node}, so it was compiled for Node, not for Electron ${electronVersion}`,
  );
}
