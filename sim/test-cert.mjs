// @ts-check
/**
 * A throwaway certificate authority and a certificate for "localhost", 127.0.0.1 and any other
 * addresses asked for, made with openssl for the tests that speak https: the action trusts the
 * CA through NODE_EXTRA_CA_CERTS, as a runner behind a corporate CA does. Nothing here is ever
 * committed; the caller removes `dir` when its tests are done.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/**
 * @param {string[]} [addresses] more IP addresses the certificate is valid for
 * @param {string[]} [hosts] more host names it is valid for (a platform's own name, reached through a proxy)
 * @returns {{ dir: string, caFile: string, ca: string, key: string, cert: string }}
 */
export function makeTestCertificate(addresses = [], hosts = []) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'koreai-cert-'))
  const file = (/** @type {string} */ name) => path.join(dir, name)
  const openssl = (/** @type {string[]} */ args) => execFileSync('openssl', args, { stdio: 'pipe' })
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Kore.ai Tool Export test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem')
  ])
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', file('server.key'), '-out', file('server.csr')])
  const names = ['DNS:localhost', ...hosts.map(host => `DNS:${host}`), 'IP:127.0.0.1', ...addresses.map(address => `IP:${address}`)]
  writeFileSync(file('server.ext'), `subjectAltName=${names.join(',')}\n`)
  openssl([
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.pem')
  ])
  return {
    dir,
    caFile: file('ca.pem'),
    ca: readFileSync(file('ca.pem'), 'utf8'),
    key: readFileSync(file('server.key'), 'utf8'),
    cert: readFileSync(file('server.pem'), 'utf8')
  }
}
