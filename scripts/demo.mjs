// @ts-check
/**
 * `npm run demo`: runs the real bundled action end to end on this machine, against the built-in
 * platform simulator and artifact backend emulator, and shows what a workflow would get.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { startArtifactEmulator } from '../sim/artifact-emulator.mjs'
import { startPlatformSimulator } from '../sim/platform-simulator.mjs'
import { BUNDLE, NODE24_MISSING, ROOT, findNode24, runAction } from '../sim/run-action.mjs'
import { makeToolExport, makeZip, toolDefinitions } from '../sim/zip.mjs'

const node = findNode24()
if (!node) {
  console.error(NODE24_MISSING)
  process.exit(1)
}
const key = 'kg-demo-key-not-a-real-secret'
// Everything the demo writes goes to one git-ignored folder of the repository, emptied first.
const root = path.join(ROOT, '.demo')
rmSync(root, { recursive: true, force: true })
mkdirSync(root, { recursive: true })
let runs = 0
const base = () => path.join(root, 'runs', String(++runs))
const sim = await startPlatformSimulator({
  keys: { [key]: true },
  tools: { 'a-banking-assistant': { flowId: 'cf-demo', name: 'Banking Assistant', durationMs: 4000, redirect: true } }
})
const emu = await startArtifactEmulator({ dir: path.join(root, 'artifacts') })

const rule = (/** @type {string} */ title) => console.log(`\n\x1b[1m== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}\x1b[0m`)
try {
  const version = execFileSync(node, ['--version']).toString().trim()
  rule(`Running ${path.relative(process.cwd(), BUNDLE)} on Node ${version}, as action.yml declares (node24)`)
  console.log(`platform simulator: ${sim.url}   artifact backend emulator: ${emu.url}\n`)
  const result = await runAction({
    node,
    echo: true,
    inputs: { host: `${sim.url}/`, key, toolId: 'a-banking-assistant', flowId: 'cf-demo', artifactName: 'banking-assistant-nightly' },
    env: emu.runtimeEnv(),
    workspace: path.join(root, 'workspace'),
    runnerTemp: path.join(root, 'runner-temp'),
    base: base()
  })

  rule(`Exit code ${result.code}; outputs (from GITHUB_OUTPUT)`)
  for (const [name, value] of Object.entries(result.outputs)) console.log(`  ${name.padEnd(13)} ${value}`)

  rule('Artifact, as the backend received it')
  for (const artifact of emu.artifacts) {
    console.log(`  ${artifact.name}: ${artifact.size} bytes, sha256 ${artifact.sha256}`)
    console.log(`  stored at ${artifact.filePath}`)
    const same = readFileSync(artifact.filePath).equals(readFileSync(result.outputs.filePath))
    console.log(`  identical to the file on disk: ${same ? 'yes' : 'NO'}`)
  }
  rule('Requests the platform saw')
  const t0 = sim.requests[0]?.at ?? 0
  for (const r of sim.requests) {
    const where = r.path.replace(/\?.*$/, '?…')
    console.log(
      `  +${String(r.at - t0).padStart(5)} ms  ${r.server.padEnd(8)} ${r.method.padEnd(4)} ${where}  ${r.apiKey ? 'x-api-key sent' : 'no key'}`
    )
  }
  rule('Job summary (GITHUB_STEP_SUMMARY)')
  console.log(
    result.summary
      .replace(/<\/tr>/g, '\n')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)))
      .replace(/ +/g, ' ')
  )

  // The round trip: the export just made, imported as a new tool with the import entry.
  rule('Round trip: the export imported as a new tool (import/action.yml)')
  const imported = await runAction({
    entry: 'import',
    node,
    inputs: { host: sim.url, key, source: result.outputs.filePath, toolName: 'Banking Assistant (imported)' },
    workspace: path.join(root, 'workspace'),
    runnerTemp: path.join(root, 'runner-temp'),
    base: base()
  })
  const kept = (/** @type {string} */ line) => !line.startsWith('::') && !line.startsWith('[command]')
  for (const line of imported.stdout.split('\n').filter(kept).filter(Boolean)) console.log(`  ${line}`)
  console.log(`  exit ${imported.code}; outputs: ${JSON.stringify(imported.outputs)}`)
  const body = sim.imports.at(-1)?.body ?? {}
  const original = readFileSync(result.outputs.filePath)
  console.log(
    `  the platform received ${Object.keys(body).join(', ')}; the imported flow definition is ${sim.files.get(String(body.flowDataFileId))?.bytes.length ?? 0} bytes, from an export of ${original.length} bytes`
  )
  if (imported.code !== 0) process.exitCode = 1

  // A release whose deploy fails: the import with deploy: true, rolled back to the backup by itself.
  rule('Release with deploy: true; the deploy FAILS and is rolled back (import/action.yml)')
  const before = toolDefinitions('Travel Desk', 1)
  const release = toolDefinitions('Travel Desk', 2)
  sim.addTool('a-travel-desk', {
    flowId: 'cf-travel',
    name: 'Travel Desk',
    durationMs: 500,
    file: makeToolExport('Travel Desk', 1),
    // Its first deploy (the release's) fails; the next (the rollback's) succeeds.
    deploy: { outcomes: ['FAILED'], message: 'Flow has 1 error: node "lookup" has no exit', durationMs: 500 }
  })
  writeFileSync(path.join(root, 'workspace', 'travel-desk-v2.zip'), makeZip(release, { method: 'deflate' }))
  const running = () => sim.tool('a-travel-desk')?.deployed?.definitions?.['flow_definition.json']?.toString('utf8')
  console.log(`  the tool runs: ${running()}\n  importing travel-desk-v2.zip: ${release[0].data}\n`)
  const released = await runAction({
    entry: 'import',
    node,
    inputs: { host: sim.url, key, source: 'travel-desk-v2.zip', toolId: 'a-travel-desk', flowId: 'cf-travel', deploy: 'true' },
    env: emu.runtimeEnv(),
    workspace: path.join(root, 'workspace'),
    runnerTemp: path.join(root, 'runner-temp'),
    base: base()
  })
  // The action's own lines, and its warning and error; not the artifact client's chatter.
  const artifactClient =
    /^(Artifact name is valid|Root directory input is valid|Uploading artifact|Beginning upload|Uploaded bytes|Finished uploading|SHA256 digest|Finalizing artifact|Artifact \S+ successfully finalized)/
  for (const line of released.stdout.split('\n').filter(Boolean)) {
    const annotation = /^::(warning|error)::(.*)$/.exec(line)
    if (annotation) console.log(`  ${annotation[1]}: ${annotation[2]}`)
    else if (kept(line) && !artifactClient.test(line)) console.log(`  ${line}`)
  }
  console.log(`  exit ${released.code}; outputs: ${JSON.stringify(released.outputs)}`)
  const after = running()
  console.log(
    `  the tool runs: ${after} (${after === before[0].data ? 'the version backed up before the import' : 'NOT the backed-up version'})`
  )
  if (released.code !== 1 || released.outputs.rolledBack !== 'true' || after !== before[0].data) process.exitCode = 1

  // Backups people can review: unpack into a folder of the repository, three nights running.
  rule('extract: true, three nightly runs into backup/banking-assistant')
  const workspace = path.join(root, 'workspace')
  const nightly = async (/** @type {string} */ night) => {
    emu.reset()
    const run = await runAction({
      node,
      inputs: {
        host: sim.url,
        key,
        toolId: 'a-banking-assistant',
        flowId: 'cf-demo',
        extract: 'true',
        extractPath: 'backup/banking-assistant',
        uploadArtifact: 'false'
      },
      workspace,
      runnerTemp: path.join(root, 'runner-temp'),
      base: base()
    })
    const line = run.stdout.split('\n').find(l => l.startsWith('Unpacked')) ?? run.stdout.split('\n').find(l => l.startsWith('::error::'))
    console.log(`  ${night}: exit ${run.code}, changed=${run.outputs.changed}  ${line}`)
    const env = run.stdout.split('\n').find(l => l.startsWith('envVariables '))
    if (env) console.log(`    ${env}`)
    for (const change of (run.outputs.changes ?? '').split('\n').filter(Boolean)) console.log(`    changes: ${change}`)
    return run
  }
  sim.tools['a-banking-assistant'].durationMs = 1200
  await nightly('night 1')
  await nightly('night 2 (nothing changed on the platform)')
  sim.tools['a-banking-assistant'].file = makeZip([
    {
      name: 'flow_definition.json',
      data: JSON.stringify({ name: 'Banking Assistant', version: 2, nodes: ['start', 'lookup', 'answer'] }, null, 2)
    },
    { name: 'app_definition.json', data: JSON.stringify({ name: 'Banking Assistant', type: 'tool' }, null, 2) }
  ])
  const last = await nightly('night 3 (the flow changed, env variables dropped)')
  console.log(`  ${last.outputs.extractedPath} now holds: ${readdirSync(last.outputs.extractedPath).join(', ')}`)
  console.log(
    `  flow_definition.json, pretty-printed for review:\n${readFileSync(path.join(last.outputs.extractedPath, 'flow_definition.json'), 'utf8').trimEnd().replace(/^/gm, '    ')}`
  )
  console.log('  A workflow opens a pull request only when changed == true (see the README).')

  console.log(`\nEverything the demo wrote is under ${path.relative(process.cwd(), root) || root} (git-ignored; the next demo empties it).`)
  process.exitCode = process.exitCode || (result.code ?? 1)
} finally {
  await Promise.all([sim.close(), emu.close()])
}
