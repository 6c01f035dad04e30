// @ts-check
/**
 * Real servers for the faults a simulator would only agree with itself about: nginx serving a
 * precompressed export (`gzip_static always`), and tinyproxy as a forward proxy. Each runs as a
 * child process with a configuration in a temporary folder, on a free loopback port, and is
 * stopped by close(). `installed()` says whether the program is there, so a test can skip
 * with a clear message; .ci/run installs both (apt-get install nginx tinyproxy).
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'

/** @param {'nginx' | 'tinyproxy'} program */
export function installed(program) {
  const where = program === 'nginx' ? '/usr/sbin/nginx' : '/usr/bin/tinyproxy'
  return spawnSync(where, ['-v'], { stdio: 'ignore' }).status === 0 ? where : undefined
}

/** A loopback port nobody listens on just now. */
async function freePort() {
  const server = createServer()
  await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const address = server.address()
  await new Promise(resolve => server.close(() => resolve(undefined)))
  return typeof address === 'object' && address ? address.port : 0
}

/** Resolves once something accepts connections on `port`. @param {number} port @param {() => string} log */
async function listening(port, log) {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise(resolve => {
      const socket = connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)))
      socket.on('error', () => resolve(false))
    })
    if (up) return
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`the server never listened on ${port}:\n${log()}`)
}

/**
 * Runs `program` in the foreground with `conf` written to a file; resolves once it listens.
 * @param {string} program @param {(dir: string, port: number) => { conf: string, args: string[] }} configure
 */
async function run(program, configure) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'koreai-real-'))
  const port = await freePort()
  const { conf, args } = configure(dir, port)
  writeFileSync(path.join(dir, 'server.conf'), conf)
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', chunk => (output += chunk))
  child.stderr.on('data', chunk => (output += chunk))
  await listening(port, () => output)
  return {
    dir,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/**
 * nginx serving `files` (name -> bytes) from a folder. With `gzipStatic`, each file is also
 * stored as name.gz and nginx answers with that, Content-Encoding: gzip, whatever the request
 * accepts (`gzip_static always`), as a site does that precompresses everything.
 * @param {{ files: Record<string, Buffer>, gzipStatic?: boolean }} options
 */
export async function startNginx(options) {
  const { gzipSync } = await import('node:zlib')
  const nginx = installed('nginx')
  if (!nginx) throw new Error('nginx is not installed')
  return run(nginx, (dir, port) => {
    for (const [name, bytes] of Object.entries(options.files)) {
      if (options.gzipStatic) writeFileSync(path.join(dir, `${name}.gz`), gzipSync(bytes))
      else writeFileSync(path.join(dir, name), bytes)
    }
    const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  types { application/zip zip; }
  server {
    listen 127.0.0.1:${port};
    root ${dir};
    ${options.gzipStatic ? 'gzip_static always; gunzip off;' : ''}
  }
}`
    return { conf, args: ['-c', path.join(dir, 'server.conf'), '-p', dir, '-e', path.join(dir, 'error.log')] }
  })
}

/**
 * tinyproxy on loopback, allowing loopback clients; with `auth` ("user:password") it asks for
 * Basic credentials (407 without them).
 * @param {{ auth?: string }} [options]
 */
export async function startTinyproxy(options = {}) {
  const tinyproxy = installed('tinyproxy')
  if (!tinyproxy) throw new Error('tinyproxy is not installed')
  return run(tinyproxy, (dir, port) => {
    const [user, password] = (options.auth ?? '').split(':')
    const conf = [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      'MaxClients 20',
      'Allow 127.0.0.1',
      'LogLevel Info',
      `LogFile "${dir}/tinyproxy.log"`,
      'DisableViaHeader Yes',
      ...(options.auth ? [`BasicAuth ${user} ${password}`] : [])
    ].join('\n')
    return { conf, args: ['-d', '-c', path.join(dir, 'server.conf')] }
  })
}
