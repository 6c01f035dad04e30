import { describe, expect, it } from '@jest/globals'
import { describeProxy, describeUrl, dockStatusUrl, exportUrl, isLoopbackHost, isSameOrigin, parseHost, proxyFor, resolveDownloadUrl } from '../../src/url-helper.js'

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

describe('origins', () => {
  it('treats scheme, host and port as the origin', () => {
    const base = new URL('https://a.example')
    expect(isSameOrigin(base, new URL('https://a.example/files/1'))).toBe(true)
    expect(isSameOrigin(base, new URL('https://b.example/files/1'))).toBe(false)
    expect(isSameOrigin(base, new URL('http://a.example/files/1'))).toBe(false)
    expect(isSameOrigin(base, new URL('https://a.example:444/files/1'))).toBe(false)
  })

  it('knows loopback hosts', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '[::1]', 'app.localhost'].every(isLoopbackHost)).toBe(true)
    expect(['example.com', '10.0.0.1', '128.0.0.1', 'localhost.example.com'].some(isLoopbackHost)).toBe(false)
  })

  it('describes a URL without its query', () => {
    expect(describeUrl(new URL('https://a.example/f?sig=secret'))).toBe('https://a.example/f')
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

describe('proxyFor', () => {
  const target = new URL('https://platform.example.com:8443/api')
  const env = (vars: Record<string, string>) => ({ HTTPS_PROXY: 'http://proxy.internal:3128', ...vars })
  it('takes HTTPS_PROXY for https and HTTP_PROXY for http, lower case first, http:// assumed', () => {
    expect(proxyFor(target, env({}))?.href).toBe('http://proxy.internal:3128/')
    expect(proxyFor(target, env({ https_proxy: 'lower:8080' }))?.href).toBe('http://lower:8080/')
    expect(proxyFor(new URL('http://files.example.com/x'), env({}))).toBeUndefined()
    expect(proxyFor(new URL('http://files.example.com/x'), { HTTP_PROXY: 'http://plain:80' })?.host).toBe('plain')
  })
  it.each([
    ['a host', 'platform.example.com'],
    ['a parent domain (its subdomains too)', 'example.com'],
    ['.domain', '.example.com'],
    ['host:port', 'platform.example.com:8443'],
    ['*', '*'],
    ['an entry among others, any case, with spaces', 'other.org, PLATFORM.example.com ,10.0.0.1']
  ])('NO_PROXY with %s goes direct', (_form, noProxy) => {
    expect(proxyFor(target, env({ NO_PROXY: noProxy }))).toBeUndefined()
  })
  it.each([
    ['another port', 'platform.example.com:443'],
    ['a name that only ends the same', 'le.com'],
    ['another domain', '.example.org']
  ])('NO_PROXY with %s keeps the proxy', (_form, noProxy) => {
    expect(proxyFor(target, env({ NO_PROXY: noProxy }))).toBeDefined()
  })
  it('never proxies loopback, IPv6 included', () => {
    expect(proxyFor(new URL('https://127.0.0.1:9/'), env({}))).toBeUndefined()
    expect(proxyFor(new URL('https://[::1]:9/'), env({}))).toBeUndefined()
    expect(proxyFor(new URL('https://localhost/'), env({}))).toBeUndefined()
  })
  it('describes a proxy by host and port only', () => {
    expect(describeProxy(new URL('http://user:pa55@proxy.internal:3128'))).toBe('proxy.internal:3128')
    expect(describeProxy(new URL('http://proxy.internal'))).toBe('proxy.internal:80')
  })
})
