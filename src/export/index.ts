/** The entry point the runner executes (bundled to dist/index.js). */
import { run } from './run.js'

await run()
