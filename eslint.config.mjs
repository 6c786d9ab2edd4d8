// ESLint keeps the layers of DESIGN.md §2 honest: the import direction is a lint error, not a hope.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node-only folders of src/: never importable by the renderer. */
const nodeOnlySrc = [
  '**/src/decode/**',
  '**/src/inference/**',
  '**/src/engine/**',
  '**/src/store/**',
  '**/src/reports/**',
  '**/src/cli/**',
];

/** Native or Node-only packages: for node-only folders of src/ and the hosts, never elsewhere. */
const nodeOnlyPackages = [
  'sharp',
  'onnxruntime-node',
  'better-sqlite3',
  'pdfkit',
  'dcmjs',
  'dicom-parser',
  'jpeg-js',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      'models/**',
      'artifacts/**',
      'coverage/**',
      'bin/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The domain: no Electron, no React, no DOM, no hosts, no UI.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*'],
              message: 'src/ never imports Electron (DESIGN §2).',
            },
            {
              group: ['react', 'react-dom', 'react-konva', 'konva', 'react/*', 'react-dom/*'],
              message: 'src/ never imports the UI (DESIGN §2).',
            },
            {
              group: ['**/main/**', '**/renderer/**'],
              message: 'src/ never imports the hosts or the UI (DESIGN §2).',
            },
          ],
        },
      ],
    },
  },
  {
    // Pure modules of src/ must stay importable by the renderer: no Node built-ins, no native packages.
    files: ['src/api/**/*.ts', 'src/imaging/**/*.ts', 'src/clinical/**/*.ts', 'src/models/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto'],
              message:
                'Pure src/ modules use no Node built-ins: put Node code in a node-only folder.',
            },
            {
              group: nodeOnlyPackages,
              message: 'Pure src/ modules use no native or Node-only packages.',
            },
            {
              group: ['electron', 'react', 'react-dom', 'konva', 'react-konva'],
              message: 'src/ never imports Electron or the UI (DESIGN §2).',
            },
            {
              group: [
                '**/decode/**',
                '**/inference/**',
                '**/engine/**',
                '**/store/**',
                '**/reports/**',
                '**/cli/**',
              ],
              message: 'Pure src/ modules never import node-only src/ folders.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer reaches the core only through the API contract and pure modules.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*', 'node:*', 'fs', 'path', 'child_process'],
              message: 'The renderer is sandboxed: no Electron or Node (DESIGN §3).',
            },
            {
              group: nodeOnlySrc,
              message:
                'The renderer imports only the API contract and pure src/ modules (DESIGN §2).',
            },
            { group: ['**/main/**'], message: 'The renderer never imports the hosts.' },
            {
              group: nodeOnlyPackages,
              message: 'Native and Node-only packages are not for the renderer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/renderer/**', 'react', 'react-dom'],
              message: 'Hosts never import the UI code.',
            },
          ],
        },
      ],
    },
  },
);
