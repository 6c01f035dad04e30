import { describe, expect, it } from '@jest/globals'
import { Secrets } from '../../../src/lifecycle/secrets.js'

describe('Secrets', () => {
  it('registers each secret once with the runner, and redacts every form of it', () => {
    const registered: string[] = []
    const secrets = new Secrets(value => registered.push(value))
    secrets.add(' kg-key/with+chars ')
    secrets.add('kg-key/with+chars')
    expect(registered).toEqual(['kg-key/with+chars'])
    expect(secrets.redact('said kg-key/with+chars and kg-key%2Fwith%2Bchars')).toBe('said *** and ***')
  })

  it('masks a signed URL, its query, and each long value, but not short ones', () => {
    const registered: string[] = []
    const secrets = new Secrets(value => registered.push(value))
    secrets.addUrl(new URL('https://store.example/bucket/file.zip?sig=abcdef123456&expires=3600'))
    // The smallest first: no mask line shows a part not masked before it.
    expect(registered).toEqual([
      'abcdef123456',
      'sig=abcdef123456&expires=3600',
      '/bucket/file.zip?sig=abcdef123456&expires=3600',
      'https://store.example/bucket/file.zip?sig=abcdef123456&expires=3600'
    ])
    expect(secrets.redact('HTTP 403: signature abcdef123456 expired after 3600 s')).toBe('HTTP 403: signature *** expired after 3600 s')
  })

  it('masks each line of a multi-line secret too, the lines first, and redacts a line quoted alone', () => {
    const registered: string[] = []
    const secrets = new Secrets(value => registered.push(value))
    secrets.add('-----BEGIN KEY-----\r\n  MIIEvQIBADANBgkq  \n-----END KEY-----\n')
    expect(registered).toEqual([
      '-----BEGIN KEY-----',
      'MIIEvQIBADANBgkq',
      '-----END KEY-----',
      '-----BEGIN KEY-----\r\n  MIIEvQIBADANBgkq  \n-----END KEY-----'
    ])
    expect(secrets.redact('line 2 (MIIEvQIBADANBgkq) is not base64')).toBe('line 2 (***) is not base64')
  })
})
