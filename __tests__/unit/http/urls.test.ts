import { describe, expect, it } from '@jest/globals'
import { describeProxy, describeUrl, isLoopbackHost, isSameOrigin, proxyFor } from '../../../src/http/urls.js'

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
