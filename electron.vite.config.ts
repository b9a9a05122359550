import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

/**
 * A sandboxed preload is one CommonJS file that may `require` only
 * `electron`: fail the build if anything else is left to load at run time.
 */
function sandboxedPreload(): Plugin {
  return {
    name: 'teamline:sandboxed-preload',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
      if (chunks.length !== 1)
        this.error(`The preload must be one file, got ${chunks.map((c) => c.fileName).join(', ')}`);
      for (const chunk of chunks) {
        const loads = [...chunk.imports, ...chunk.dynamicImports].filter((m) => m !== 'electron');
        if (loads.length > 0) this.error(`The sandboxed preload cannot load ${loads.join(', ')} at run time`);
      }
    },
  };
}

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/main/index.ts') },
        // Native and server-only modules stay outside the bundle.
        external: ['better-sqlite3', 'ws'],
      },
    },
  },
  preload: {
    plugins: [sandboxedPreload()],
    build: {
      // Bundle everything the preload uses: in the sandbox it cannot require node_modules.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    // Icons and sounds (ringtone, ringback) ship from resources/.
    publicDir: resolve(__dirname, 'resources/public'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
