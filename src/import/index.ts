/** The import entry point (import/action.yml), bundled to dist/import/index.js. */
import { runImport } from './run.js'

await runImport()
