// Lint rules that guard the architecture (see ../shared/DESIGN.md):
// - unawaited promises are errors;
// - shared/ is host-agnostic: no Office.js, no vscode, no Node built-ins (it runs in a browser and a worker).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [...new Set(builtinModules.map((m) => m.replace(/^node:/, '')))];

export const sharedImportRule = [
  'error',
  {
    paths: [
      { name: 'vscode', message: 'shared/ must not import vscode: put VS Code code in extension/.' },
      { name: 'office-js', message: 'shared/ must not import Office.js: put Word code in addin/.' },
      ...nodeBuiltins.flatMap((name) => [
        { name, message: 'shared/ runs in browsers and workers: no Node built-ins.' },
        { name: `node:${name}`, message: 'shared/ runs in browsers and workers: no Node built-ins.' },
      ]),
    ],
    patterns: [
      { group: ['@microsoft/office-js*', '@types/office-js', 'office-addin-*'], message: 'shared/ must not import Office.js.' },
      { group: ['node:*'], message: 'shared/ runs in browsers and workers: no Node built-ins.' },
      { group: ['**/addin/**', '**/extension/**'], message: 'shared/ must not depend on a host.' },
    ],
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', '**/.venv/**', '.vscode-test/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.browser },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['shared/**/*.{ts,tsx}'],
    ignores: ['shared/**/*.test.{ts,tsx}'],
    rules: {
      'no-restricted-imports': sharedImportRule,
      'no-restricted-globals': ['error',
        { name: 'Word', message: 'shared/ must not touch Word: use the DocumentHost port.' },
        { name: 'Office', message: 'shared/ must not touch Office: use the DocumentHost port.' },
        { name: 'process', message: 'shared/ runs in browsers and workers: no Node globals.' },
        { name: 'require', message: 'shared/ is ESM and host-agnostic.' },
      ],
    },
  },
  {
    files: ['scripts/**/*.{ts,mjs}', '*.config.{ts,mjs}', 'webpack.config.ts', '**/*.test.{ts,tsx}', 'test/**/*'],
    languageOptions: { globals: { ...globals.node } },
  },
);
