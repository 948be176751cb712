/**
 * `npm run bench:console`: builds the web console into a temp folder and measures its first load
 * (index.html plus every script, stylesheet and modulepreload it references) gzipped at zlib's
 * default level, as a server would send it. Lazy chunks are listed apart. Prints JSON, writes
 * bench/results/console-size.json, and exits non-zero above the budget of issue 15 (1 MB).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'

const BUDGET = 1024 * 1024
const root = fileURLToPath(new URL('..', import.meta.url))
const out = mkdtempSync(join(tmpdir(), 'ferry-console-size-'))
try {
  await build({
    configFile: join(root, 'console/vite.config.ts'),
    logLevel: 'error',
    build: { outDir: out, emptyOutDir: true },
  })
  const index = readFileSync(join(out, 'index.html'))
  const referenced = [...index.toString('utf8').matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1] ?? '')
  const size = (rel: string) => {
    const buf = readFileSync(join(out, rel))
    return { file: rel, bytes: buf.length, gzip: gzipSync(buf).length }
  }
  const first = [{ file: 'index.html', bytes: index.length, gzip: gzipSync(index).length }, ...referenced.map(size)]
  const lazy = readdirSync(join(out, 'assets'))
    .map((f) => `assets/${f}`)
    .filter((f) => !referenced.includes(f))
    .map(size)
  const total = first.reduce((a, f) => a + f.gzip, 0)
  const result = {
    scenario: 'console-first-load',
    at: new Date().toISOString(),
    first_load_gzip_bytes: total,
    budget_bytes: BUDGET,
    within_budget: total <= BUDGET,
    first_load: first,
    lazy_chunks: lazy,
  }
  const text = JSON.stringify(result, null, 2)
  process.stdout.write(`${text}\n`)
  mkdirSync(join(root, 'bench/results'), { recursive: true })
  writeFileSync(join(root, 'bench/results/console-size.json'), `${text}\n`)
  if (total > BUDGET) process.exitCode = 1
} finally {
  rmSync(out, { recursive: true, force: true })
}
