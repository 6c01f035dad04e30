// @ts-check
/**
 * `npm run check:imports`: dependency-cruiser checks the direction of imports in src/ against
 * the rules in .dependency-cruiser.mjs. It needs Node 22 or later: run on the Node 24 the tests
 * use (see scripts/jest.mjs), whatever Node runs npm.
 */
import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { NODE24_MISSING, ROOT, findNode24 } from '../sim/run-action.mjs'

const node = findNode24()
if (!node) {
  console.error(NODE24_MISSING)
  process.exit(1)
}
const cli = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs')
const child = spawn(node, [cli, '--config', '.dependency-cruiser.mjs', 'src'], { cwd: ROOT, stdio: 'inherit' })
child.on('exit', code => process.exit(code ?? 1))
