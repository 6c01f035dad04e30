/** The deploy entry point (deploy/action.yml), bundled to dist/deploy/index.js. */
import '../lifecycle/supported-node.js'
import { run } from './run.js'

await run()
