import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { readSource } from '../../../src/import/source.js'
import { ActionError } from '../../../src/errors.js'

const root = mkdtempSync(path.join(os.tmpdir(), 'koreai-source-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let folders = 0
/** A folder under a workspace of its own, holding `files` (name -> text). */
function folderWith(files: Record<string, string>): { workspace: string; folder: string } {
  const workspace = path.join(root, `workspace-${++folders}`)
  const folder = path.join(workspace, 'copy')
  mkdirSync(folder, { recursive: true })
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(folder, name), text)
  return { workspace, folder }
}
const DEFINITIONS = { 'flow_definition.json': '{"name":"Bot"}', 'app_definition.json': '{"name":"Bot"}' }
const read = ({ workspace, folder }: { workspace: string; folder: string }) => readSource(folder, { tempRoot: root, workspace })
async function refusal(source: { workspace: string; folder: string }): Promise<string> {
  const error = await read(source).then(
    () => undefined,
    (e: unknown) => e
  )
  if (!(error instanceof ActionError)) throw new Error(`expected a refusal, got ${String(error)}`)
  return error.message
}

describe('readSource, a folder', () => {
  it('reads each definition once: sizes, hashes, the tool name, the variables, a byte order mark skipped', async () => {
    const source = await read(folderWith({ ...DEFINITIONS, 'env_variables.json': '\uFEFF{"REGION":"eu"}' }))
    expect(source).toMatchObject({ kind: 'folder', name: 'copy', toolName: 'Bot', envValue: { REGION: 'eu' } })
    expect(source.app).toMatchObject({ name: 'app_definition.json', size: 14, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
  })

  it('refuses a definition that is a link, and names it', async () => {
    const source = folderWith({ 'flow_definition.json': '{}' })
    writeFileSync(path.join(root, 'outside.json'), '{"auths":{}}')
    symlinkSync(path.join(root, 'outside.json'), path.join(source.folder, 'app_definition.json'))
    expect(await refusal(source)).toContain('app_definition.json is a symbolic link')
  })

  it('refuses links anywhere inside, each named, even a broken one', async () => {
    const source = folderWith(DEFINITIONS)
    mkdirSync(path.join(source.folder, 'sub'))
    symlinkSync('/nowhere', path.join(source.folder, 'sub', 'b'))
    symlinkSync('flow_definition.json', path.join(source.folder, 'a'))
    expect(await refusal(source)).toContain(': a, sub/b are symbolic links')
  })

  it('refuses a definition that is a FIFO without waiting for a writer', async () => {
    const source = folderWith({ 'flow_definition.json': '{}' })
    execFileSync('mkfifo', [path.join(source.folder, 'app_definition.json')])
    expect(await refusal(source)).toContain('app_definition.json is not a file')
  })

  it('refuses a folder that is a link, or below one in the workspace; follows links above the workspace', async () => {
    const real = folderWith(DEFINITIONS)
    const workspace = path.join(root, `workspace-${++folders}`)
    mkdirSync(workspace)
    symlinkSync(real.folder, path.join(workspace, 'linked'))
    symlinkSync(real.workspace, path.join(workspace, 'tools'))
    expect(await refusal({ workspace, folder: path.join(workspace, 'linked') })).toContain('it is a symbolic link')
    expect(await refusal({ workspace, folder: path.join(workspace, 'tools', 'copy') })).toContain(
      `its path goes through the symbolic link ${path.join(workspace, 'tools')}`
    )
    const viaLinkedWorkspace = path.join(root, `linked-workspace-${folders}`)
    symlinkSync(real.workspace, viaLinkedWorkspace)
    await expect(read({ workspace: viaLinkedWorkspace, folder: path.join(viaLinkedWorkspace, 'copy') })).resolves.toMatchObject({
      toolName: 'Bot'
    })
  })
})
