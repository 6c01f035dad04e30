// @ts-check
/**
 * `npm run validate`: action.yml and every workflow against the schemas of @action-validator/cli.
 * Its schema (0.6.0) predates `runs.using: node24` and only knows node12/16/20, so action.yml is
 * checked as a copy with node20 in that one place, and node24 is asserted here instead.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ROOT } from '../sim/run-action.mjs'

const validator = path.join(ROOT, 'node_modules', '.bin', 'action-validator')
let failed = false
/** @param {string} file @param {string} label */
function validate(file, label) {
  try {
    execFileSync(validator, [file], { stdio: ['ignore', 'pipe', 'pipe'] })
    console.log(`valid: ${label}`)
  } catch (error) {
    failed = true
    const { stdout, stderr } = /** @type {{ stdout?: Buffer, stderr?: Buffer }} */ (error)
    console.log(`INVALID: ${label}\n${stdout ?? ''}${stderr ?? ''}`)
  }
}

const action = readFileSync(path.join(ROOT, 'action.yml'), 'utf8')
if (!/^ {2}using: 'node24'$/m.test(action)) {
  failed = true
  console.log("INVALID: action.yml must declare runs.using: 'node24'")
}
const copy = path.join(mkdtempSync(path.join(os.tmpdir(), 'validate-')), 'action.yml')
writeFileSync(copy, action.replace(/^( {2}using: )'node24'$/m, "$1'node20'"))
validate(copy, 'action.yml')

const workflows = path.join(ROOT, '.github', 'workflows')
for (const name of readdirSync(workflows).filter(n => /\.ya?ml$/.test(n))) validate(path.join(workflows, name), `.github/workflows/${name}`)
process.exit(failed ? 1 : 0)
