import { describe, expect, it } from '@jest/globals'
import { dockStatusUrl, exportUrl, parseHost, resolveDownloadUrl } from '../../../src/platform/urls.js'

describe('parseHost', () => {
  it.each([
    ['https://agent-platform.domain.ai/', 'https://agent-platform.domain.ai/'],
    [' https://agent-platform.domain.ai/ ', 'https://agent-platform.domain.ai/'],
    ['agent-platform.kore.ai', 'https://agent-platform.kore.ai/'],
    ['https://example.com:8443//', 'https://example.com:8443/'],
    ['https://example.com/koreai/', 'https://example.com/koreai'],
    ['http://localhost:3000', 'http://localhost:3000/'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080/']
  ])('accepts %j as %s', (raw, expected) => {
    expect(parseHost(raw).href).toBe(expected)
  })

  it.each([
    ['', /empty/],
    ['http://agent-platform.kore.ai', /clear text/],
    ['ftp://example.com', /scheme ftp/],
    ['https://user:pw@example.com', /user name/],
    ['https://example.com/?a=1', /query/],
    ['https://exa mple.com', /not a URL/]
  ])('refuses %j', (raw, reason) => {
    expect(() => parseHost(raw)).toThrow(reason)
  })
})

describe('API URLs', () => {
  const base = parseHost('https://agent-platform.domain.ai/')

  it('builds the export URL with flowId and without a double slash or the docs colon', () => {
    expect(exportUrl(base, 'a-123', 'cf-9').href).toBe('https://agent-platform.domain.ai/api/public/tools/a-123/export?flowId=cf-9')
  })

  it('keeps an opaque id as one path segment', () => {
    const url = exportUrl(base, 'a/../b', 'f&x=1 2')
    expect(url.pathname).toBe('/api/public/tools/a%2F..%2Fb/export')
    expect(url.searchParams.get('flowId')).toBe('f&x=1 2')
    expect(dockStatusUrl(base, 'ds/..').pathname).toBe('/api/public/dock-status/ds%2F..')
  })

  it('keeps a path prefix', () => {
    expect(dockStatusUrl(parseHost('https://x.example/kore/'), 'ds-1').href).toBe('https://x.example/kore/api/public/dock-status/ds-1')
  })

  it('resolves the download URL, trimming the leading space of the vendor sample', () => {
    expect(resolveDownloadUrl(base, ' https://agent-platform.domain.ai/api/v1/account/x').href).toBe(
      'https://agent-platform.domain.ai/api/v1/account/x'
    )
    expect(resolveDownloadUrl(base, '/api/v1/account/y').href).toBe('https://agent-platform.domain.ai/api/v1/account/y')
  })
})

describe('parseHost, as users write it', () => {
  it('drops the API prefix copied from the docs, and keeps any other path as a prefix', () => {
    expect(parseHost('https://agent-platform.kore.ai/api/public/').href).toBe('https://agent-platform.kore.ai/')
    expect(parseHost('https://onprem.example/kore/api/public').pathname).toBe('/kore')
    expect(parseHost('https://onprem.example/kore/').pathname).toBe('/kore')
  })

  it('never echoes a password from a host it cannot read', () => {
    expect(() => parseHost('https://admin:hunter2@exa mple.com')).toThrow('"https://***@exa mple.com" is not a URL or host name')
  })
})

describe('resolveDownloadUrl', () => {
  it('refuses what is not a URL, quoting it without its query', () => {
    expect(() => resolveDownloadUrl(new URL('https://p.example'), ' http://[::1/x?sig=secret')).toThrow('"http://[::1/x" is not a URL')
  })
})
