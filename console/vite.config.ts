/**
 * The console's build: `npm run console:build` writes dist/console, which `ferry serve` serves at
 * `/`. `npm run console:dev` serves the sources with hot reload and forwards the API to a running
 * `ferry serve` (FERRY_URL, default http://127.0.0.1:8080), so cookies stay first-party.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))
const api = process.env.FERRY_URL ?? 'http://127.0.0.1:8080'

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: resolve(root, '../dist/console'),
    emptyOutDir: true,
    target: 'es2022',
    // The server answers only /assets/<name>, never nested folders.
    assetsDir: 'assets',
  },
  server: {
    // 127.0.0.1 like ferry serve: cookies are per host, not per port, so a session opened on the
    // service's own page (the demo's loopback sign-in) also holds here.
    host: '127.0.0.1',
    proxy: Object.fromEntries(
      ['/api', '/openapi.json', '/healthz', '/readyz'].map((p) => [p, { target: api, changeOrigin: false }]),
    ),
  },
})
