import { describe, expect, it } from '@jest/globals'
import { CHUNK_BYTES, ONE_REQUEST_LIMIT, chunkRange, planUpload } from '../../../src/platform/upload-plan.js'

describe('planUpload: one request below 25 MB, chunks above', () => {
  it('sends a file smaller than the limit in one request', () => {
    expect(planUpload(0)).toEqual({ mode: 'one request' })
    expect(planUpload(ONE_REQUEST_LIMIT - 1)).toEqual({ mode: 'one request' })
  })

  it('sends a file of the limit or more in chunks that cover it', () => {
    expect(ONE_REQUEST_LIMIT).toBe(25_000_000)
    expect(planUpload(ONE_REQUEST_LIMIT)).toEqual({
      mode: 'chunks',
      chunkBytes: CHUNK_BYTES,
      totalChunks: Math.ceil(ONE_REQUEST_LIMIT / CHUNK_BYTES)
    })
    expect(planUpload(100 * 1024 * 1024)).toEqual({ mode: 'chunks', chunkBytes: CHUNK_BYTES, totalChunks: 20 })
    expect(CHUNK_BYTES).toBeLessThan(ONE_REQUEST_LIMIT)
  })

  it('numbers chunks from 0, each range following the last, the last one short', () => {
    const size = 3 * CHUNK_BYTES + 10
    expect(chunkRange(0, size, CHUNK_BYTES)).toEqual([0, CHUNK_BYTES])
    expect(chunkRange(1, size, CHUNK_BYTES)).toEqual([CHUNK_BYTES, 2 * CHUNK_BYTES])
    expect(chunkRange(3, size, CHUNK_BYTES)).toEqual([3 * CHUNK_BYTES, size])
  })
})
