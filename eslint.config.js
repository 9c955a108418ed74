import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', 'data/', 'artifacts/', 'dist/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': ['error', { allow: [] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['cli/**', 'bench/**', 'bin/**', 'test/**', 'services/**'], rules: { 'no-console': 'off' } },
);
