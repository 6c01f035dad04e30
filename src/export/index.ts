/** The export entry point (action.yml), bundled to dist/index.js. */
import '../lifecycle/supported-node.js'
import { run } from './run.js'

await run()
