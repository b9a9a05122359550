import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Every Node builtin by its bare name (fs, path, child_process, …); `node:*` is caught by a pattern. */
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

/** Runtime boundaries by folder (STYLE.md §1): each runtime imports only what it may. */
export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      '.cache/**',
      'bench/.data/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['src/main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/renderer/**', '**/preload/**'], message: 'Main may not import renderer or preload code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The core runs in plain Node: no electron here.' }],
          patterns: [
            { group: ['electron/*'], message: 'The core runs in plain Node: no electron here.' },
            {
              group: ['**/renderer/**', '**/preload/**', '**/server/**'],
              message: 'The core does not know its hosts or the renderer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'better-sqlite3', 'ws', ...nodeBuiltins].map((name) => ({
            name,
            message: 'Shared code runs in every runtime.',
          })),
          patterns: [
            {
              group: ['node:*', 'electron/*', '**/main/**', '**/renderer/**', '**/preload/**'],
              message: 'Shared code imports only shared code and zod.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!electron$|\\.\\./shared/)', message: 'The preload imports only electron and the contract.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // These rules advise the React Compiler, which this app does not use.
      'react-hooks/incompatible-library': 'off',
      // An effect may return only its clean-up. An expression body returns
      // whatever the expression gives (scrollIntoView() gives a Promise in
      // Chromium), and React then crashes the whole tree on unmount.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.name=/^use(Layout)?Effect$/] > ArrowFunctionExpression.arguments:first-child[body.type!='BlockStatement'][body.type!='ArrowFunctionExpression']",
          message: 'Give the effect a block body; return a clean-up function explicitly if it has one.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'better-sqlite3', 'ws', ...nodeBuiltins].map((name) => ({
            name,
            message: 'The renderer is untrusted and runs in a browser sandbox.',
          })),
          patterns: [
            {
              group: ['node:*', 'electron/*', '**/main/**', '**/preload/**'],
              message: 'The renderer talks to the main process only through window.api.',
            },
          ],
        },
      ],
    },
  },
);
