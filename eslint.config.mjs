// Lint: faults the compiler cannot see (promises nobody awaits or catches, dead code). The
// layering of lib/ (core never imports adapters; lib never imports handlers/) and import circles
// are dependency-cruiser's (.dependency-cruiser.cjs), the second half of `npm run lint`.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'node_modules/',
    '.serverless/',
    '.esbuild/',
    '.build/',
    '.local/',
    '.onnxless/',
    'dist/',
    'coverage/',
    'bench/.cache/',
    'layers/*/dist/',
    '.ci/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // Type information for the two promise rules below (tsconfig.json covers every file).
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits or catches: its rejection is unhandled and ends the process.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a callback's result is ignored (an event listener, setTimeout).
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `ok ? resolve() : wait()` as a statement is a choice, not a lost value.
      '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true }],
      // The compiler checks names, in the .mjs/.cjs files too (checkJs).
      'no-undef': 'off',
    },
  },
  {
    // Tests read JSON bodies whose shape they then assert field by field.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // osls loads plugins with require().
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
