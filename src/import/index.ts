/** The import entry point (import/action.yml), bundled to dist/import/index.js. */
import '../lifecycle/supported-node.js'
import { run } from './run.js'

await run()
