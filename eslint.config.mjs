// ESLint (flat config) with typescript-eslint's type-aware rules, as actions/typescript-action
// and actions/upload-artifact lint; Prettier owns the layout, so its conflicting rules are off.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'lib/**', 'coverage/**', 'node_modules/**', '.demo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      // Errors are caught as unknown and narrowed; a thrown non-Error is reported as such.
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off'
    }
  },
  {
    // The simulators, scripts and tests are checked JavaScript (// @ts-check); the type-aware
    // rules need type information their JSDoc gives only in part.
    files: ['sim/**/*.mjs', 'scripts/**/*.mjs', '*.mjs', '*.js'],
    ...tseslint.configs.disableTypeChecked
  },
  {
    files: ['__tests__/**/*.ts'],
    rules: {
      // Tests reach into results with `!` after asserting they exist.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off'
    }
  },
  prettier
)
