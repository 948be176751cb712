import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/engine/logger.js'

describe('createLogger', () => {
  it('does not read the fields of a line below its level', () => {
    let reads = 0
    const fields = {
      get target() {
        reads += 1
        return 'POST http://vendor/api'
      },
    }
    const log = createLogger('warn')
    log.debug(fields, 'http call')
    log.info(fields, 'http call')
    expect(reads).toBe(0)
  })
})
