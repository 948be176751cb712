/**
 * The web console (console/, built by Vite to dist/console) served from the API's own origin, so
 * its session cookies are SameSite=Strict first-party cookies and no CORS is needed. `/` answers
 * the app's index.html (in the demo, on loopback, after signing the browser in); `/assets/:file`
 * its hashed, immutable files. When the console has not been built the service still starts and
 * `/` says how to build it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isLoopback, setSessionCookies, SESSION_COOKIE } from '../auth/hooks.js'
import { NotFound } from '../errors.js'
import { addRoute, type ServiceContext } from '../route.js'

/** dist/console under the package root, found from this module (src/… under tsx, dist/src/… built). */
export function defaultConsoleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'console')
    const up = dirname(dir)
    if (up === dir) return join(process.cwd(), 'dist', 'console')
    dir = up
  }
}

export function consoleBuilt(dir: string): boolean {
  return existsSync(join(dir, 'index.html'))
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
}

const notBuilt = (note: string, dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry</title></head>
<body style="font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;line-height:1.5">
<h1>Ferry</h1>
<p><b>The web console has not been built</b> (${dir.replace(/&/g, '&amp;').replace(/</g, '&lt;')}/index.html is missing).
Run <code>npm run build</code> (or <code>npm run console:build</code>) and reload this page.</p>
<p>${note}</p>
<p>The API lives under <code>/api/v1</code>; its OpenAPI 3.1 document is <a href="/openapi.json">/openapi.json</a>
(docs/api.md explains authentication, roles and a curl session).</p>
</body></html>
`

const attr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const FileParams = Type.Object(
  { file: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.-]+$' }) },
  { additionalProperties: false },
)

export function consoleRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const dir = ctx.options.consoleDir ?? defaultConsoleDir()
  // Read once: the built index is small and does not change while the service runs.
  const index = consoleBuilt(dir) ? readFileSync(join(dir, 'index.html'), 'utf8') : undefined

  /** The demo's loopback sign-in; answers what the page should say about it. */
  const demoSignIn = async (
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ mode: 'none' | 'auto' | 'remote'; user?: string }> => {
    const demoUser = ctx.options.autoLoginUser
    if (demoUser === undefined) return { mode: 'none' }
    if (!isLoopback(req)) return { mode: 'remote' }
    const cookie = req.cookies[SESSION_COOKIE]
    const already = cookie !== undefined && (await ctx.auth.fromSession(cookie)) !== undefined
    if (!already) {
      const user = await ctx.store.access.userByName(demoUser)
      if (user !== undefined) setSessionCookies(ctx, reply, await ctx.auth.openSession(user, req.ip))
    }
    return { mode: 'auto', user: demoUser }
  }

  addRoute(app, {
    method: 'GET',
    url: '/',
    access: 'public',
    summary: 'The web console (static, no data; the demo signs in here on loopback)',
    tags: ['meta'],
    produces: 'text/html',
    handler: async (req, reply) => {
      void reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
      const demo = await demoSignIn(req, reply)
      if (index === undefined) {
        return notBuilt(
          demo.mode === 'auto'
            ? `Demo: you are signed in automatically as <b>${attr(demo.user ?? '')}</b> (admin) because you are on loopback; from any other address you would have to sign in.`
            : demo.mode === 'remote'
              ? 'This is the demo. It signs you in automatically only from this machine (loopback); from here, sign in with a user.'
              : 'Sign in with POST /api/v1/auth/login, or call the API with an API token.',
          dir,
        )
      }
      // The page learns about the demo from a meta tag: it holds no data, only the demo user's name.
      const meta =
        demo.mode === 'none'
          ? ''
          : `<meta name="ferry-demo" content="${demo.mode}"${demo.user === undefined ? '' : ` data-user="${attr(demo.user)}"`}>`
      return index.replace('</head>', `${meta}</head>`)
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/assets/:file',
    access: 'public',
    summary: "The web console's built files (content-hashed names, cached for a year)",
    tags: ['meta'],
    params: FileParams,
    produces: 'application/octet-stream',
    handler: async (req, reply) => {
      const file = (req.params as Static<typeof FileParams>).file
      const type = TYPES[extname(file)]
      if (index === undefined || type === undefined || file.startsWith('.')) throw NotFound(['console file', file])
      let body: Buffer
      try {
        body = await readFile(join(dir, 'assets', file))
      } catch {
        throw NotFound(['console file', file])
      }
      return reply.type(type).header('cache-control', 'public, max-age=31536000, immutable').send(body)
    },
  })
}
