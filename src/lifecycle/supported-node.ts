/**
 * Imported first by every entry point, before any library loads: on a Node older than the one
 * the bundled HTTP library needs, the run would end in a raw TypeError from deep inside it. It
 * ends here instead, with the step's one error naming the Node it needs.
 */
const [major, minor] = process.versions.node.split('.').map(Number)
// undici 8 (the HTTP library) needs 22.19 or later; action.yml declares node24.
if (major < 22 || (major === 22 && minor < 19)) {
  process.stdout.write(
    `::error::This action needs Node 24 (action.yml: runs.using node24; at least Node 22.19), but it is running on Node ${process.versions.node}. Use a runner that supports node24 actions (GitHub-hosted runners do; a self-hosted runner needs a current actions/runner), or run the bundle with Node 24.\n`
  )
  process.exit(1)
}
export {}
