import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', 'data/', 'artifacts/', 'dist/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // A handle assigned once, after closures that read it were created (e.g. health checks).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  // Small modules named for what they do: a source file over 400 lines is split by job.
  {
    ignores: ['test/**'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }] },
  },
  { files: ['cli/**', 'bench/**', 'bin/**', 'test/**', 'services/**'], rules: { 'no-console': 'off' } },
  // Tests read JSON bodies of our own API; typing each one would add noise, not safety.
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
