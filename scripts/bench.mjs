// @ts-check
/**
 * `npm run bench`: the performance figures of issue "Performance", measured in one run on this
 * machine against the loopback simulator, each beside the baseline a user would otherwise
 * script (a `curl` + `sleep 5` loop, a bare `node -e fetch`, `curl -o`). A benchmark, not a test:
 * it prints, and exits 1 only when a target is missed.
 *
 *   npm run bench              all figures (about five minutes: the minute-long jobs are real)
 *   npm run bench -- --quick   skip the minute-long jobs
 *   npm run bench -- --only=big,tail   only some parts: startup, noticing, tail, many, paced, big, import, release
 */
import { execFile, execFileSync, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { once } from 'node:events'
import { startArtifactEmulator } from '../sim/artifact-emulator.mjs'
import { startPlatformSimulator } from '../sim/platform-simulator.mjs'
import { BUNDLE, IMPORT_BUNDLE, NODE24_MISSING, ROOT, findNode24, startAction } from '../sim/run-action.mjs'
import { makeToolExport, makeZip, toolDefinitions, writeLargeToolExport } from '../sim/zip.mjs'

const QUICK = process.argv.includes('--quick')
const ONLY = process.argv
  .find(arg => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
const wants = (/** @type {string} */ part) => !ONLY || ONLY.includes(part)
const KEY = 'kg-bench-key'
// The runtime action.yml declares: the figures are about the Node a runner uses.
const node24 = findNode24()
if (!node24) {
  console.error(NODE24_MISSING)
  process.exit(1)
}
const NODE = node24
const BIG_MIB = 512
/** The paced link: 1 Gbit/s, the simulator sending 1 MiB steps on a timer. */
const PACED_MIB = 256
const PACED_BYTES_PER_SECOND = 1e9 / 8
/** The import's large flow definition: 100 MiB, measured against 1 MiB. */
const RESTORE_MIB = 100
const work = mkdtempSync(path.join(os.tmpdir(), 'koreai-bench-'))

// The simulator runs in this process: children that talk to it must never be waited on synchronously.
const exec = promisify(execFile)
const sim = await startPlatformSimulator({ keys: { [KEY]: true } })
const emu = await startArtifactEmulator({ dir: path.join(work, 'artifacts') })

/** Reads a response over a bare socket and throws it away: the least any Node client can do. */
const BARE_SOCKET_READER = `
  const url = new URL(process.argv[1])
  const socket = require('node:net').connect(Number(url.port), url.hostname, () => socket.write(
    'GET ' + url.pathname + url.search + ' HTTP/1.1\\r\\nHost: ' + url.host + '\\r\\nx-api-key: ' + process.argv[2] + '\\r\\nConnection: close\\r\\n\\r\\n'))
  socket.on('data', () => {})`
/** Uploads one file with @actions/artifact as the action does (skipArchive), and nothing else. */
const ARTIFACT_UPLOADER = `
  import { DefaultArtifactClient } from '@actions/artifact'
  import * as path from 'node:path'
  const file = process.argv[1]
  await new DefaultArtifactClient().uploadArtifact('alone.zip', [file], path.dirname(file), { skipArchive: true })`

/**
 * The least a Node script can do after SUCCESS, the baseline of the tail: @actions/artifact
 * already loaded and its client made, it waits for a line `<url> <name>`, then downloads the URL
 * to a file and uploads it as the action does (skipArchive), and ends on its own.
 */
const TAIL_BASELINE = `
  import { DefaultArtifactClient } from '@actions/artifact'
  import { createWriteStream } from 'node:fs'
  import * as path from 'node:path'
  import { createInterface } from 'node:readline'
  import { Readable } from 'node:stream'
  import { pipeline } from 'node:stream/promises'
  const [dir, key] = process.argv.slice(1)
  const client = new DefaultArtifactClient()
  const input = createInterface({ input: process.stdin })
  process.stdout.write('ready\\n')
  const [url, name] = (await new Promise(resolve => input.once('line', resolve))).split(' ')
  input.close()
  const file = path.join(dir, name)
  const response = await fetch(url, { headers: { 'x-api-key': key } })
  await pipeline(Readable.fromWeb(response.body), createWriteStream(file))
  await client.uploadArtifact(name, [file], dir, { skipArchive: true })`

/** The README's settings for runners short of memory: a smaller young generation, fewer blocks in flight. */
const LEAN_MEMORY_ENV = { NODE_OPTIONS: '--max-semi-space-size=1', ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY: '2' }

/** @type {{ figure: string, measured: string, baseline: string, ratio: string, target: string, ok: boolean }[]} */
const rows = []
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const mean = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const s = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(2)} s`
const msText = (/** @type {number} */ ms) => `${Math.round(ms)} ms`
const sleep = (/** @type {number} */ ms) => new Promise(resolve => setTimeout(resolve, ms))
/** @param {string} figure @param {string} measured @param {string} baseline @param {number | undefined} ratio @param {string} target @param {boolean} ok */
function row(figure, measured, baseline, ratio, target, ok) {
  rows.push({ figure, measured, baseline, ratio: ratio === undefined ? '' : ratio.toFixed(2), target, ok })
  console.log(`  ${ok ? 'ok  ' : 'MISS'} ${figure}: ${measured}${baseline ? ` (baseline ${baseline})` : ''}`)
}

/**
 * The shortest time `machines` parallel lanes take for jobs of these lengths (an exhaustive search
 * with pruning: twelve jobs take milliseconds).
 * @param {number[]} lengths @param {number} machines
 */
function bestSchedule(lengths, machines) {
  const jobs = [...lengths].sort((a, b) => b - a)
  const loads = new Array(machines).fill(0)
  let best = jobs.reduce((a, b) => a + b, 0)
  const place = (/** @type {number} */ i) => {
    if (i === jobs.length) {
      best = Math.min(best, Math.max(...loads))
      return
    }
    const tried = new Set()
    for (let m = 0; m < machines; m++) {
      if (tried.has(loads[m]) || loads[m] + jobs[i] >= best) continue
      tried.add(loads[m])
      loads[m] += jobs[i]
      place(i + 1)
      loads[m] -= jobs[i]
    }
  }
  place(0)
  return best
}

/** What the action's debug line says verifying took: milliseconds, and the peak RSS (MB) before and after. */
function verification(/** @type {string} */ stdout) {
  const found = /::debug::Verified \d+ bytes in (\d+) ms; peak RSS (\d+) MB before, (\d+) MB after/.exec(stdout)
  if (!found) throw new Error(`the run logged no verification:\n${stdout}`)
  return { ms: Number(found[1]), peaks: [Number(found[2]), Number(found[3])] }
}

let runs = 0
/** A run's own folder (workspace, runner temp, outputs) under the bench's, removed with it. */
const runBase = () => path.join(work, `run-${++runs}`)

/** Runs the bundle; resolves with the run and the time the process was spawned. */
async function runBundle(
  /** @type {Record<string, string>} */ inputs,
  /** @type {Record<string, string | undefined>} */ env = {},
  timed = false
) {
  const rssFile = path.join(work, `rss-${Math.random().toString(36).slice(2)}.txt`)
  const spawnedAt = Date.now()
  const action = startAction({
    base: runBase(),
    node: timed ? '/usr/bin/time' : NODE,
    inputs: { host: sim.url, key: KEY, uploadArtifact: 'false', ...inputs },
    env: { ...emu.runtimeEnv(), ...env },
    killAfterMs: 300_000,
    ...(timed ? { args: ['-f', '%M %U %S', '-o', rssFile, NODE, BUNDLE] } : {})
  })
  const result = await action.done
  const exitedAt = spawnedAt + result.ms
  const [peakKb, userS, sysS] =
    timed && existsSync(rssFile) ? (readFileSync(rssFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? []) : []
  return { result, spawnedAt, exitedAt, peakKb, cpuMs: userS === undefined ? undefined : (userS + sysS) * 1000 }
}

/** From the first to the last upload request the artifact backend saw since its last reset. */
function blockUploadSpan() {
  const puts = emu.requests.filter(r => r.method === 'PUT')
  return (puts[puts.length - 1]?.at ?? NaN) - (puts[0]?.at ?? NaN)
}

/** Server-side time of each download request since `from`: from its arrival to its last byte sent. */
const downloadTimes = (/** @type {number} */ from) =>
  sim.requests
    .slice(from)
    .filter(r => r.path.startsWith('/api/v1/account/'))
    .map(r => (r.finishedAt ?? NaN) - r.at)

/** Starts a job for `toolId` as a user's script would, and returns its download URL. */
async function downloadUrlByCurl(/** @type {string} */ toolId) {
  const answer = (
    await exec('curl', ['-s', '-X', 'POST', '-H', `x-api-key: ${KEY}`, `${sim.url}/api/public/tools/${toolId}/export?flowId=cf`])
  ).stdout
  await sleep(150)
  return /"downloadUrl": " ([^"]+)"/.exec(answer)?.[1] ?? ''
}

/**
 * The tail's baseline: TAIL_BASELINE started and ready, given the download URL of a finished job;
 * milliseconds from the go-ahead to its exit.
 */
async function bareTail(/** @type {string} */ toolId) {
  sim.addTool(toolId, { flowId: 'cf', durationMs: 50 })
  const url = await downloadUrlByCurl(toolId)
  const dir = mkdtempSync(path.join(work, 'bare-tail-'))
  const child = spawn(NODE, ['--input-type=module', '-e', TAIL_BASELINE, dir, KEY], {
    cwd: ROOT,
    env: { ...process.env, ...emu.runtimeEnv() },
    stdio: ['pipe', 'pipe', 'inherit']
  })
  await new Promise(resolve => child.stdout.once('data', resolve))
  const goAt = Date.now()
  child.stdin.write(`${url} ${toolId}.zip\n`)
  const [code] = await once(child, 'exit')
  const ms = Date.now() - goAt
  rmSync(dir, { recursive: true, force: true })
  if (code !== 0) throw new Error(`the bare tail script ended with ${code}`)
  return ms
}

/** `curl -o` of `url`, timed by the server as the action is; with curl's own CPU time. */
async function curlDownload(/** @type {string} */ url) {
  const before = sim.requests.length
  const timeFile = path.join(work, 'curl-time.txt')
  await exec('/usr/bin/time', [
    '-f',
    '%U %S',
    '-o',
    timeFile,
    'curl',
    '-s',
    '-o',
    path.join(work, 'curl-copy.zip'),
    '-H',
    `x-api-key: ${KEY}`,
    url
  ])
  rmSync(path.join(work, 'curl-copy.zip'))
  const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [NaN, NaN]
  return { ms: downloadTimes(before)[0], cpuMs: (user + sys) * 1000 }
}

/** The `curl` + `sleep 5` loop a user would write, as a shell step. */
function curlLoop(/** @type {string} */ toolId) {
  const script = `
    id=$(curl -s -X POST -H "x-api-key: ${KEY}" -H 'Content-Type: application/json' "${sim.url}/api/public/tools/${toolId}/export?flowId=cf" | tr -d '\\n' | sed 's/.*"dock-statusId": *"\\([^"]*\\)".*/\\1/')
    while :; do
      status=$(curl -s -H "x-api-key: ${KEY}" "${sim.url}/api/public/dock-status/$id" | sed 's/.*"status":"\\([A-Z_]*\\)".*/\\1/')
      [ "$status" != IN_PROGRESS ] && break
      sleep 5
    done`
  const child = spawn('bash', ['-c', script], { stdio: 'ignore' })
  return once(child, 'exit')
}

/** For a job: when it ended, when the client noticed, and how many status checks it made. */
function noticing(/** @type {string} */ toolId) {
  const [id, job] = [...sim.jobs.entries()].find(([, j]) => j.toolId === toolId) ?? []
  if (!id || !job) throw new Error(`no job for ${toolId}`)
  const checks = sim.requests.filter(r => r.path === `/api/public/dock-status/${id}`)
  const endedAt = job.startedAt + (sim.tools[toolId].durationMs ?? 0)
  const noticedAt = checks.find(r => r.status !== 'IN_PROGRESS')?.at ?? NaN
  const gaps = checks.slice(1).map((r, i) => r.at - checks[i].at)
  return { late: noticedAt - endedAt, checks: checks.length, firstCheck: (checks[0]?.at ?? NaN) - job.startedAt, minGap: Math.min(...gaps) }
}

/** The action and the curl loop, side by side, on identical jobs of the given lengths (seconds). */
async function compareSchedules(/** @type {string} */ label, /** @type {number[]} */ durations) {
  const runs = durations.map(async (seconds, i) => {
    const action = `bench-${label}-${i}-action`
    const loop = `bench-${label}-${i}-loop`
    for (const toolId of [action, loop]) sim.addTool(toolId, { flowId: 'cf', durationMs: Math.round(seconds * 1000) })
    await sleep(i * 150) // staggered, so starts do not pile up on two cores
    await Promise.all([runBundle({ toolId: action, flowId: 'cf', timeoutSeconds: '120' }), curlLoop(loop)])
    return { action: noticing(action), loop: noticing(loop) }
  })
  return Promise.all(runs)
}

try {
  console.log(
    `Benchmark on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `action on Node ${execFileSync(NODE, ['--version']).toString().trim()}, baselines curl ${execFileSync('curl', ['--version']).toString().split(' ')[1]}\n`
  )

  // 1. Start-up: from spawning `node dist/index.js` to the first request the platform sees.
  if (wants('startup')) {
    console.log('Start-up')
    sim.addTool('bench-start', { flowId: 'cf', durationMs: 100 })
    const actionStarts = []
    const bareStarts = []
    for (let i = 0; i < 9; i++) {
      const before = sim.requests.length
      const { spawnedAt } = await runBundle({ toolId: 'bench-start', flowId: 'cf' })
      actionStarts.push(sim.requests[before].at - spawnedAt)
      const bareAt = Date.now()
      await exec(NODE, ['-e', `fetch(${JSON.stringify(`${sim.url}/bare`)}).then(r => r.text())`])
      bareStarts.push(sim.requests[sim.requests.length - 1].at - bareAt)
    }
    const startRatio = median(actionStarts) / median(bareStarts)
    row(
      'start-up to first request (median of 9)',
      msText(median(actionStarts)),
      `${msText(median(bareStarts))} bare node -e fetch`,
      startRatio,
      '≤ 1.5x bare node',
      startRatio <= 1.5
    )
  }

  // 2. Noticing the end of jobs that finish within 10 s, and of jobs of up to a minute.
  if (wants('noticing')) {
    console.log('Noticing the end (real jobs, action and curl loop side by side)')
    const short = await compareSchedules('short', [0.4, 1.7, 2.9, 4.3, 5.6, 6.8, 8.1, 9.5])
    const firstCheck = median(short.map(r => r.action.firstCheck))
    row(
      'first status check after the start (median)',
      s(firstCheck),
      `${s(median(short.map(r => r.loop.firstCheck)))} curl loop`,
      undefined,
      '≈ 1 s',
      firstCheck <= 1300
    )
    const shortLate = mean(short.map(r => r.action.late))
    const shortLoop = mean(short.map(r => r.loop.late))
    row(
      'jobs ≤ 10 s: noticed after the end (mean)',
      s(shortLate),
      `${s(shortLoop)} sleep-5 loop`,
      shortLate / shortLoop,
      '≤ 1.0 s',
      shortLate <= 1000
    )
    let all = short
    if (!QUICK) {
      const long = await compareSchedules('long', [12.5, 17.5, 22.5, 27.5, 32.5, 37.5, 42.5, 47.5, 52.5, 57.5])
      all = [...short, ...long]
    }
    const late = mean(all.map(r => r.action.late))
    const loopLate = mean(all.map(r => r.loop.late))
    const checks = mean(all.map(r => r.action.checks))
    const loopChecks = mean(all.map(r => r.loop.checks))
    const span = QUICK ? '≤ 10 s (--quick)' : '≤ 60 s'
    row(
      `jobs ${span}: noticed after the end (mean)`,
      s(late),
      `${s(loopLate)} sleep-5 loop`,
      late / loopLate,
      '≤ the loop',
      late <= loopLate
    )
    // The 2x bound is for jobs of up to a minute; short jobs alone are judged on time only.
    row(
      `jobs ${span}: status requests (mean)`,
      checks.toFixed(1),
      `${loopChecks.toFixed(1)} sleep-5 loop`,
      checks / loopChecks,
      QUICK ? '(judged without --quick)' : '≤ 2x the loop',
      QUICK || checks <= 2 * loopChecks
    )
    const minGap = Math.min(...all.map(r => r.action.minGap).filter(Number.isFinite))
    row('closest two status requests', msText(minGap), '', undefined, '≥ ~1 s apart', minGap >= 990)
  }

  // 3. After SUCCESS: download, upload, outputs, summary, exit, for a small export, beside a bare
  // script that downloads and uploads the same with its modules already loaded.
  if (wants('tail')) {
    console.log('After SUCCESS')
    const tails = []
    const bareTails = []
    for (let i = 0; i < 7; i++) {
      const toolId = `bench-tail-${i}`
      sim.addTool(toolId, { flowId: 'cf', durationMs: 300 })
      const { result, exitedAt } = await runBundle({ toolId, flowId: 'cf', uploadArtifact: 'true' })
      if (result.code !== 0) throw new Error(`the run failed:\n${result.stdout}`)
      const success = sim.requests.find(r => r.status === 'SUCCESS' && r.path.endsWith(result.outputs.dockStatusId))
      tails.push(exitedAt - (success?.finishedAt ?? NaN))
      bareTails.push(await bareTail(`${toolId}-bare`))
    }
    const tailRatio = median(tails) / median(bareTails)
    row(
      'SUCCESS answer to process exit, small export with upload (median of 7)',
      msText(median(tails)),
      `${msText(median(bareTails))} bare script, modules loaded`,
      tailRatio,
      '≤ 1.5x the bare script',
      tailRatio <= 1.5
    )
  }

  // 3b. Many tools in one step: twelve jobs of 2–8 s, four at a time, against the best schedule.
  if (wants('many')) {
    console.log('Twelve tools, concurrency 4')
    const lengths = [5, 8, 3, 6, 2, 7, 4, 6, 3, 5, 7, 4]
    const lines = lengths.map((seconds, i) => {
      sim.addTool(`bench-many-${i}`, { flowId: 'cf', durationMs: seconds * 1000, name: `Tool ${i}` })
      return `bench-many-${i} cf t${i}`
    })
    const many = await runBundle({ tools: lines.join('\n'), concurrency: '4', path: path.join(work, 'many') }, {}, true)
    if (many.result.code !== 0) throw new Error(`the many-tools run failed:\n${many.result.stdout}`)
    sim.addTool('bench-single', { flowId: 'cf', durationMs: 5000, name: 'Single' })
    const single = await runBundle({ toolId: 'bench-single', flowId: 'cf', path: path.join(work, 'single') }, {}, true)
    if (single.result.code !== 0) throw new Error(`the single run failed:\n${single.result.stdout}`)
    // The best any scheduler could do knowing the lengths beforehand, plus a second for the last job's tail.
    const best = bestSchedule(lengths, 4) * 1000 + 1000
    const ratio = many.result.ms / best
    row(
      '12 tools of 2–8 s, concurrency 4: the whole step',
      s(many.result.ms),
      `${s(best)} best schedule + 1 s`,
      ratio,
      '≤ 1.15x',
      ratio <= 1.15
    )
    const rssRatio = (many.peakKb ?? NaN) / (single.peakKb ?? NaN)
    const mbOf = (/** @type {number | undefined} */ kb) => `${(((kb ?? NaN) * 1024) / 1e6).toFixed(0)} MB`
    row('12 tools, concurrency 4: peak RSS', mbOf(many.peakKb), `${mbOf(single.peakKb)} one tool`, rssRatio, '≤ 1.3x', rssRatio <= 1.3)
    rmSync(path.join(work, 'many'), { recursive: true, force: true })
  }

  // 4. A download over a link paced to 1 Gbit/s, as a real network delivers it: the client
  // should keep up with the link, as curl does.
  if (wants('paced')) {
    console.log(`A ${PACED_MIB} MiB export over a link paced to 1 Gbit/s`)
    const paced = path.join(work, 'paced-export.zip')
    // A real tool export, so that the action verifies it: its flow definition is the bulk of it.
    await writeLargeToolExport(paced, PACED_MIB << 20)
    const curlTimes = []
    const actionTimes = []
    const verifyTimes = []
    for (let i = 0; i < 5; i++) {
      const toolId = `bench-paced-${i}`
      sim.addTool(toolId, {
        flowId: 'cf',
        durationMs: 100,
        name: 'Paced Tool',
        filePath: paced,
        paceBytesPerSecond: PACED_BYTES_PER_SECOND
      })
      curlTimes.push((await curlDownload(await downloadUrlByCurl(toolId))).ms)
      const from = sim.requests.length
      const run = await runBundle({ toolId, flowId: 'cf', path: path.join(work, `paced-${i}`) })
      if (run.result.code !== 0) throw new Error(`the paced run failed:\n${run.result.stdout}`)
      actionTimes.push(downloadTimes(from)[0])
      verifyTimes.push(verification(run.result.stdout).ms)
      rmSync(path.join(work, `paced-${i}`), { recursive: true, force: true })
    }
    const ratio = median(actionTimes) / median(curlTimes)
    const link = s((PACED_MIB * 2 ** 20 * 1000) / PACED_BYTES_PER_SECOND)
    row(
      `${PACED_MIB} MiB over a 1 Gbit/s link (${link} on the wire): download time (median of 5, interleaved)`,
      s(median(actionTimes)),
      `${s(median(curlTimes))} curl -o`,
      ratio,
      '≤ 1.1x curl -o',
      ratio <= 1.1
    )
    // Verifying happens after the download, before anything keeps the file.
    const verifyRatio = median(verifyTimes) / median(actionTimes)
    row(
      `${PACED_MIB} MiB: verifying the export after that download (every CRC-32, the definitions' JSON; median of 5)`,
      s(median(verifyTimes)),
      `${s(median(actionTimes))} its download`,
      verifyRatio,
      '≤ 0.25x the download',
      verifyRatio <= 0.25
    )
    rmSync(paced)
  }

  // 5. A big export on raw loopback: streamed, hashed, uploaded; memory, CPU and download speed against curl -o.
  if (wants('big')) {
    console.log(`A ${BIG_MIB} MiB export`)
    const big = path.join(work, 'big-export.zip')
    // A real tool export, so that the action verifies it: its flow definition is the bulk of it.
    await writeLargeToolExport(big, BIG_MIB << 20)

    const curlTimes = []
    const curlCpu = []
    const socketTimes = []
    const actionTimes = []
    const actionCpu = []
    const verifyPeaks = []
    let downloadPeakKb = 0
    // Interleaved rounds: the disk's write-back makes back-to-back runs of one kind unfair.
    for (let i = 0; i < 5; i++) {
      const toolId = `bench-big-${i}`
      sim.addTool(toolId, { flowId: 'cf', durationMs: 100, name: 'Big Tool', filePath: big })
      // curl -o, on the same file from the same server (a job of its own, so the URL exists).
      const url = await downloadUrlByCurl(toolId)
      const curl = await curlDownload(url)
      curlTimes.push(curl.ms)
      curlCpu.push(curl.cpuMs)
      // Node's floor: a bare socket that reads the same response and throws it away.
      const beforeSocket = sim.requests.length
      await exec(NODE, ['-e', BARE_SOCKET_READER, url, KEY])
      socketTimes.push(downloadTimes(beforeSocket)[0])

      const from = sim.requests.length
      const run = await runBundle({ toolId, flowId: 'cf', path: path.join(work, `action-${i}`) }, {}, true)
      if (run.result.code !== 0) throw new Error(`the big run failed:\n${run.result.stdout}`)
      actionTimes.push(downloadTimes(from)[0])
      actionCpu.push(run.cpuMs ?? NaN)
      verifyPeaks.push(verification(run.result.stdout).peaks)
      downloadPeakKb = Math.max(downloadPeakKb, run.peakKb ?? 0)
      rmSync(path.join(work, `action-${i}`), { recursive: true, force: true })
    }
    const dlRatio = median(actionTimes) / median(curlTimes)
    row(
      `${BIG_MIB} MiB on raw loopback: download time (median of 5, interleaved)`,
      s(median(actionTimes)),
      `${s(median(curlTimes))} curl -o`,
      dlRatio,
      '(informational) ≤ 2x curl -o',
      dlRatio <= 2
    )
    row(
      `${BIG_MIB} MiB on raw loopback: CPU time of the whole action process (user + sys, median)`,
      s(median(actionCpu)),
      `${s(median(curlCpu))} curl -o`,
      median(actionCpu) / median(curlCpu),
      '(informational)',
      true
    )
    row(
      `${BIG_MIB} MiB: Node's floor, a bare socket reading and discarding it`,
      s(median(socketTimes)),
      `${s(median(curlTimes))} curl -o`,
      median(socketTimes) / median(curlTimes),
      '(floor, no target)',
      true
    )
    const addedMb = Math.max(...verifyPeaks.map(([before, after]) => after - before))
    row(
      `${BIG_MIB} MiB: what verifying adds to the step's peak RSS (most of 5)`,
      `${addedMb} MB`,
      `${verifyPeaks.map(([before]) => before).join(', ')} MB before it`,
      undefined,
      'nothing measurable (≤ 2 MB)',
      addedMb <= 2
    )
    const mb = (/** @type {number} */ kb) => (kb * 1024) / 1e6
    row(
      `${BIG_MIB} MiB: peak RSS, download and hash only (uploadArtifact: false)`,
      `${mb(downloadPeakKb).toFixed(0)} MB`,
      '',
      undefined,
      '(no target)',
      true
    )

    // The whole step, upload included.
    emu.reset()
    sim.addTool('bench-big-upload', { flowId: 'cf', durationMs: 100, name: 'Big Tool', filePath: big })
    const whole = await runBundle(
      { toolId: 'bench-big-upload', flowId: 'cf', uploadArtifact: 'true', path: path.join(work, 'action-upload') },
      {},
      true
    )
    if (whole.result.code !== 0) throw new Error(`the big run failed:\n${whole.result.stdout}`)
    const wholeMb = mb(whole.peakKb ?? 0)
    row(
      `${BIG_MIB} MiB: peak RSS of the whole step (download, hash, upload)`,
      `${wholeMb.toFixed(0)} MB`,
      '',
      undefined,
      '≤ 150 MB',
      wholeMb > 0 && wholeMb <= 150
    )
    const uploadSpan = blockUploadSpan()
    const artifact = emu.artifacts[0]
    const identical = artifact?.size === statSync(big).size && artifact.sha256 === whole.result.outputs.sha256
    row(
      `${BIG_MIB} MiB: upload, as stored by the backend`,
      `${s(uploadSpan)}, ${identical ? 'the export byte for byte (not recompressed)' : 'NOT the export as is'}`,
      '',
      undefined,
      'no recompression',
      identical
    )

    // The same step with the README's settings for runners short of memory.
    emu.reset()
    sim.addTool('bench-big-lean', { flowId: 'cf', durationMs: 100, name: 'Big Tool', filePath: big })
    const lean = await runBundle(
      { toolId: 'bench-big-lean', flowId: 'cf', uploadArtifact: 'true', path: path.join(work, 'action-lean') },
      LEAN_MEMORY_ENV,
      true
    )
    if (lean.result.code !== 0) throw new Error(`the lean run failed:\n${lean.result.stdout}`)
    row(
      `${BIG_MIB} MiB: the whole step with the README's low-memory settings`,
      `${mb(lean.peakKb ?? 0).toFixed(0)} MB peak RSS, upload ${s(blockUploadSpan())}`,
      `${wholeMb.toFixed(0)} MB, ${s(uploadSpan)}`,
      undefined,
      '(no target)',
      true
    )

    // The stack's floor: @actions/artifact uploading the same file in a process of its own.
    const rssFile = path.join(work, 'rss-upload-alone.txt')
    await exec('/usr/bin/time', ['-f', '%M', '-o', rssFile, NODE, '--input-type=module', '-e', ARTIFACT_UPLOADER, big], {
      cwd: ROOT,
      env: { ...process.env, ...emu.runtimeEnv() }
    })
    const aloneMb = mb(Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()))
    row(
      `${BIG_MIB} MiB: the stack's floor, @actions/artifact uploading it alone`,
      `${aloneMb.toFixed(0)} MB peak RSS`,
      '',
      undefined,
      '(floor, no target)',
      true
    )
  }

  // 6. The import: the import entry verifying and uploading a 100 MiB flow definition, against a 1 MiB one.
  if (wants('import')) {
    console.log('Restoring a backup (the import entry)')
    const sizes = /** @type {const} */ ([1, RESTORE_MIB])
    /** @type {Record<number, number[]>} */
    const peaks = { 1: [], [RESTORE_MIB]: [] }
    /** @type {number[]} */
    const gaps = []
    /** @type {number[]} */
    const uploadTimes = []
    for (const mib of sizes) await writeLargeToolExport(path.join(work, `import-${mib}.zip`), mib << 20)
    // Interleaved rounds, as for the downloads.
    for (let i = 0; i < 3; i++) {
      for (const mib of sizes) {
        const rssFile = path.join(work, `rss-import-${mib}-${i}.txt`)
        const from = sim.requests.length
        const action = startAction({
          base: runBase(),
          entry: 'import',
          node: '/usr/bin/time',
          args: ['-f', '%M', '-o', rssFile, NODE, IMPORT_BUNDLE],
          inputs: { host: sim.url, key: KEY, source: path.join(work, `import-${mib}.zip`), toolName: `Bench ${mib} MiB` },
          env: emu.runtimeEnv(),
          killAfterMs: 300_000
        })
        const result = await action.done
        if (result.code !== 0) throw new Error(`the import of ${mib} MiB failed:\n${result.stdout}`)
        peaks[mib].push(Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()))
        sim.files.clear()
        if (mib !== RESTORE_MIB) continue
        // From the first upload request to the last: every gap between one answered and the next sent.
        const uploads = sim.requests.slice(from).filter(r => r.method === 'POST' && r.path.startsWith('/api/public/files'))
        for (let k = 1; k < uploads.length; k++) gaps.push(uploads[k].at - (uploads[k - 1].finishedAt ?? uploads[k - 1].at))
        uploadTimes.push((uploads.at(-1)?.finishedAt ?? 0) - (uploads[0]?.at ?? 0))
      }
    }
    const mb = (/** @type {number} */ kb) => (kb * 1024) / 1e6
    const small = Math.max(...peaks[1])
    const large = Math.max(...peaks[RESTORE_MIB])
    const ratio = large / small
    row(
      `import of a ${RESTORE_MIB} MiB flow definition: peak RSS of the step (verify, unpack, upload in chunks, import; most of 3)`,
      `${mb(large).toFixed(0)} MB`,
      `${mb(small).toFixed(0)} MB importing 1 MiB`,
      ratio,
      '≤ 1.3x the 1 MiB import',
      ratio <= 1.3
    )
    const widest = Math.max(...gaps)
    row(
      `import of ${RESTORE_MIB} MiB: the widest gap between two upload requests (${gaps.length} gaps; uploads took ${s(median(uploadTimes))}, median)`,
      msText(widest),
      '',
      undefined,
      'back to back (≤ 50 ms)',
      widest <= 50
    )
  }

  // 7. A release: the import entry with deploy: true, from the platform's SUCCESS answer for the
  // last deploy job (the release's own, or the rollback's after a deploy that FAILED) to the exit.
  if (wants('release')) {
    console.log('A release (the import entry with deploy: true)')
    const source = path.join(work, 'release.zip')
    writeFileSync(source, makeZip(toolDefinitions('Bench Release', 2), { method: 'deflate' }))
    const importDurationMs = sim.importJob.durationMs
    sim.importJob.durationMs = 300
    /** @type {Record<'plain' | 'rolled back', number[]>} */
    const tails = { plain: [], 'rolled back': [] }
    // Interleaved rounds, as for the downloads.
    for (let i = 0; i < 5; i++) {
      for (const kind of /** @type {const} */ (['plain', 'rolled back'])) {
        const toolId = `bench-release-${i}-${kind === 'plain' ? 'plain' : 'rollback'}`
        sim.addTool(toolId, {
          flowId: 'cf',
          name: 'Bench Release',
          durationMs: 300,
          file: makeToolExport('Bench Release', 1),
          // A rolled-back release: its first deploy FAILS, the rollback's succeeds.
          deploy: { durationMs: 300, ...(kind === 'plain' ? {} : { outcomes: /** @type {const} */ (['FAILED']) }) }
        })
        const action = startAction({
          base: runBase(),
          entry: 'import',
          node: NODE,
          inputs: { host: sim.url, key: KEY, source, toolId, flowId: 'cf', deploy: 'true' },
          env: emu.runtimeEnv(),
          killAfterMs: 120_000
        })
        // The exit as this process sees it (the spawn time plus the run's ms would leave out
        // startAction's own set-up, tens of ms on a busy machine).
        let exitedAt = NaN
        action.child.on('exit', () => (exitedAt = Date.now()))
        const result = await action.done
        const expected = kind === 'plain' ? { code: 0, rolledBack: 'false' } : { code: 1, rolledBack: 'true' }
        if (result.code !== expected.code || result.outputs.rolledBack !== expected.rolledBack) {
          throw new Error(`the ${kind} release did not end as expected (exit ${result.code}):\n${result.stdout}`)
        }
        const last = sim.deploys.filter(d => d.toolId === toolId).at(-1)
        const success = sim.requests.find(r => r.status === 'SUCCESS' && r.path === `/api/public/dock-status/${last?.dockStatusId}`)
        tails[kind].push(exitedAt - (success?.finishedAt ?? NaN))
      }
    }
    sim.importJob.durationMs = importDurationMs
    const spread = (/** @type {number[]} */ xs) => `${msText(median(xs))} (${msText(Math.min(...xs))}–${msText(Math.max(...xs))})`
    row(
      "import with deploy: true: the deploy's SUCCESS answer to the step's end (median of 5)",
      spread(tails.plain),
      '',
      undefined,
      'within 500 ms',
      median(tails.plain) <= 500
    )
    row(
      "import with deploy: true, rolled back: the rollback's deploy SUCCESS answer to the step's end (median of 5)",
      spread(tails['rolled back']),
      '',
      undefined,
      'within 500 ms',
      median(tails['rolled back']) <= 500
    )
  }

  console.log('\n| figure | measured | baseline | ratio | target | met |\n|---|---|---|---|---|---|')
  for (const r of rows)
    console.log(`| ${r.figure} | ${r.measured} | ${r.baseline} | ${r.ratio} | ${r.target} | ${r.ok ? 'yes' : '**no**'} |`)
  const missed = rows.filter(r => !r.ok).length
  console.log(missed ? `\n${missed} target(s) missed.` : ONLY ? `\nEvery target measured (${ONLY.join(', ')}) met.` : '\nEvery target met.')
  process.exitCode = missed ? 1 : 0
} finally {
  await Promise.all([sim.close(), emu.close()])
  rmSync(work, { recursive: true, force: true })
}
