import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'coverage/', 'oclif.manifest.json']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        clearTimeout: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    // The environment is read once, by the composition root (the commands and the base command), and passed
    // down: library code that read process.env itself would bypass an environment a caller injected.
    files: ['src/**/*.ts', 'packages/*/src/**/*.ts'],
    ignores: ['src/commands/**', 'src/base-command.ts', 'packages/*/src/commands/**', 'packages/*/src/base-command.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {object: 'process', property: 'env', message: 'Take the environment from the caller (an `env` option).'},
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
)
