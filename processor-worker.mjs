// Worker of an isolated processor (`isolate: true`, src/processors/isolate.ts): loads the compiled
// module once and runs one hook call per message. Plain JavaScript so it runs without a TypeScript
// loader; records cross as structured clones, log lines go back to Ferry's log with the record id.
import { parentPort, workerData } from 'node:worker_threads'
import { pathToFileURL } from 'node:url'

const mod = await import(pathToFileURL(workerData.file).href)
const p = mod.default

const post = (m) => {
  try {
    parentPort.postMessage(m)
  } catch {
    // Not cloneable (a function, a class instance): send what JSON keeps of it.
    parentPort.postMessage(JSON.parse(JSON.stringify(m)))
  }
}

parentPort.on('message', async (m) => {
  const line = (level) => (msg, fields) => post({ id: m.id, log: level, msg: String(msg), fields: fields ?? {} })
  const log = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
  const ctx = { ...m.ctx, log, signal: new AbortController().signal }
  try {
    const result = await p[m.hook](m.input, ctx)
    post({ id: m.id, ok: true, result })
  } catch (e) {
    post({ id: m.id, ok: false, message: e instanceof Error ? e.message : String(e) })
  }
})
parentPort.postMessage({ ready: true })
