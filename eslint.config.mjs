// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'lib/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', __dirname: 'readonly', module: 'writable' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSAsExpression > TSNeverKeyword', message: 'A cast to never hides a type error: fix the type.' },
      ],
    },
  },
  {
    // A cast says "trust me" where the types should say it: none in src (`as const` is no cast).
    files: ['src/**/*.ts', 'ui/src/**/*.ts', 'ui/src/**/*.tsx'],
    rules: { '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }] },
  },
  {
    // Domain code throws its own errors (src/shared/errors.ts); only the API turns them into tRPC codes.
    files: ['src/**/*.ts'],
    ignores: ['src/api/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@trpc/server', message: 'Throw a DomainError (src/shared/errors.ts); src/api maps it.' }] },
      ],
    },
  },
  {
    // Temporal's rule: workflow code is deterministic and runs in a sandbox, so it imports no Node
    // built-ins, and it imports activities only as types. Every module a workflow imports lives in a
    // capability's `workflow/` folder.
    files: ['src/*/workflow/**/*.ts', 'src/all-workflows.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.flatMap((name) => [name, `node:${name}`]).map((name) => ({
            name,
            message: 'Workflow code must not import Node built-ins (Temporal workflow sandbox).',
          })),
          patterns: [{ group: ['**/activities', '**/activities/*'], allowTypeImports: true, message: 'Import activities with `import type` only.' }],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
