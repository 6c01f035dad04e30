// @ts-check
/**
 * `npm run check:platforms [lockfile]`: fails when a package that package-lock.json installs as
 * required declares `os`, `cpu` or `libc`. npm refuses such a package on any other platform
 * (EBADPLATFORM), so `npm ci` would fail there for every contributor; an optional one is skipped.
 */
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { ROOT } from '../sim/run-action.mjs'

const shown = process.argv[2] ?? 'package-lock.json'
const file = path.resolve(ROOT, shown)
/** @type {{ packages?: Record<string, { os?: string | string[], cpu?: string | string[], libc?: string | string[], optional?: boolean }> }} */
const lock = JSON.parse(readFileSync(file, 'utf8'))
if (!lock.packages) {
  console.log(`${shown}: no "packages" section (lockfileVersion 2 or later is needed)`)
  process.exit(1)
}

const restrictions = /** @type {const} */ (['os', 'cpu', 'libc'])
let optional = 0
/** @type {string[]} */
const refused = []
for (const [location, entry] of Object.entries(lock.packages)) {
  if (location === '') continue // the project itself
  const wanted = restrictions.filter(key => entry[key] !== undefined).map(key => `${key} ${[entry[key]].flat().join('|')}`)
  if (wanted.length === 0) continue
  // `optional: true` only when every path to it is optional; `devOptional` alone still means required with dev.
  if (entry.optional === true) optional++
  else refused.push(`${location.replace(/^.*node_modules\//, '')} (${wanted.join(', ')})`)
}

if (refused.length) {
  console.log(
    `${shown}: npm ci would refuse other platforms (EBADPLATFORM): ` +
      `${refused.join('; ')} ${refused.length === 1 ? 'is' : 'are'} required but restricted. ` +
      `Make ${refused.length === 1 ? 'it' : 'each'} optional (optionalDependencies) or use another package.`
  )
  process.exit(1)
}
console.log(`platforms: no required package restricts os, cpu or libc (${optional} optional ones do; npm skips them where they do not fit)`)
