/**
 * How a file goes up with the File Upload API, pure: one request below the API's limit for one
 * request, else a chunked session. The page says "smaller than 25 MB"; the smaller reading
 * (25,000,000 bytes, not 25 MiB) is taken, so that no file near the limit is refused.
 */

/** The largest file sent in one request is one byte below this. */
export const ONE_REQUEST_LIMIT = 25 * 1000 * 1000
/** A session's chunks: a few MiB, well under the one-request limit (the chunk limit is undocumented). */
export const CHUNK_BYTES = 5 * 1024 * 1024

export type UploadPlan = { mode: 'one request' } | { mode: 'chunks'; chunkBytes: number; totalChunks: number }

export function planUpload(size: number, chunkBytes = CHUNK_BYTES): UploadPlan {
  if (size < ONE_REQUEST_LIMIT) return { mode: 'one request' }
  return { mode: 'chunks', chunkBytes, totalChunks: Math.ceil(size / chunkBytes) }
}

/** The byte range [start, end) of chunk `index` (numbered from 0, as the API numbers them). */
export function chunkRange(index: number, size: number, chunkBytes: number): [number, number] {
  const start = index * chunkBytes
  return [start, Math.min(size, start + chunkBytes)]
}
