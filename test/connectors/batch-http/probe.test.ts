import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { batchHttp } from '../../../src/connectors/batch-http/index.js'
import type { ConnectorRuntime } from '../../../src/connectors/contract.js'
import { MemoryCredentialStore } from '../../../src/connectors/memory-credentials.js'
import { silentLogger } from '../../../src/engine/ports.js'

let server: Server | undefined
let rt: ConnectorRuntime | undefined
afterEach(async () => {
  await rt?.close()
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())))
  server = undefined
  rt = undefined
})

/** A target answering every probe with `answer`. */
async function openAgainst(answer: string): Promise<ConnectorRuntime> {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(answer)
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  rt = await batchHttp.open({
    connectionId: 'k3',
    config: { baseUrl: url, token: 'tok-91c2' },
    credentials: new MemoryCredentialStore(),
    budget: { acquire: () => Promise.resolve(() => undefined), penalise: () => undefined },
    log: silentLogger,
  })
  return rt
}

describe('batch-http probe', () => {
  it.each([
    ['a JSON answer without "exists"', '{"found": true}'],
    ['an answer that is not JSON', '<html>gateway</html>'],
  ])('fails with a coded transient error on %s, never "not found"', async (_what, answer) => {
    const target = (await openAgainst(answer)).target!
    await expect(target.probe('/batchSave', 'B-1')).rejects.toMatchObject({
      code: 'ERR_BATCH_HTTP_PROBE_ANSWER',
      kind: 'transient',
    })
  })

  it('reads an existing document with its id', async () => {
    const target = (await openAgainst('{"exists": true, "Id": 7, "document": {"FBillNo": "B-1"}}')).target!
    expect(await target.probe('/batchSave', 'B-1')).toEqual({
      exists: true,
      targetId: '7',
      document: { FBillNo: 'B-1' },
    })
  })
})
