/** The import entry point (import/action.yml), bundled to dist/import/index.js. */
import { runImport } from '../restore/restore.js'

await runImport()
