// Lint: TypeScript rules plus the file-suffix convention: only *.node.ts may touch Node I/O or native
// packages, only *.main.ts / *.preload.ts may touch Electron (ARCHITECTURE.md, convention 1).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeOnly = ['dgram', 'node:dgram', 'net', 'node:net', 'fs', 'node:fs', 'fs/promises', 'node:fs/promises',
  'worker_threads', 'node:worker_threads', 'child_process', 'node:child_process', 'http', 'node:http',
  'naudiodon', 'sip', 'ws'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'src-renderer/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/**/*.node.ts', 'src-main/**/*.main.ts', 'src-main/**/*.preload.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeOnly, 'electron'].map((name) => ({ name, message: 'I/O belongs in a *.node.ts adapter (pure modules run anywhere).' })),
      }],
    },
  },
  {
    files: ['src-main/**/*.node.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The core never imports electron.' }] }],
    },
  },
);
