/**
 * The token cursor under the `_function` parser: lookahead, expectations with positioned errors,
 * and node construction that tracks tree height (evaluation recursion stays bounded).
 */
import { node, type SqlNode } from './ast.js'
import { ExprStatementNotAllowed, ExprSyntax, ExprTooLarge } from './errors.js'
import type { Token } from './lexer.js'
import { locate, MAX_TREE_HEIGHT } from './template.js'

/** Words that begin or belong to SQL statements; meeting one is ERR_EXPR_STATEMENT_NOT_ALLOWED. */
export const STATEMENT_WORDS = new Set([
  'SELECT',
  'AS',
  'FROM',
  'WHERE',
  'UNION',
  'INSERT',
  'UPDATE',
  'DELETE',
  'DROP',
  'INTO',
  'SET',
  'CALL',
])

function describe(t: Token): string {
  switch (t.t) {
    case 'eof':
      return 'the end of the expression'
    case 'num':
      return `number ${t.text}`
    case 'str':
      return 'a string'
    case 'ident':
      return `"${t.text}"`
    case 'ref':
      return 'a field reference'
    case 'lookup':
      return 'a _findCollection lookup'
    case 'op':
      return `"${t.text}"`
  }
}

export class TokenCursor {
  protected pos = 0
  protected depth = 0

  /** Height of each built subtree, so evaluation recursion stays bounded (a chain `1+1+…` is as deep as it is long). */
  protected readonly heights = new WeakMap<object, number>()

  constructor(
    protected readonly source: string,
    private readonly tokens: Token[],
  ) {}

  protected mk<N extends SqlNode>(n: N): N {
    let h = 0
    for (const v of Object.values(n)) {
      const items: unknown[] = Array.isArray(v) ? v : [v]
      for (const c of items) {
        if (c === null || typeof c !== 'object') continue
        for (const x of 'kind' in c ? [c] : (Object.values(c) as unknown[])) {
          if (x !== null && typeof x === 'object') h = Math.max(h, this.heights.get(x) ?? 1)
        }
      }
    }
    if (h + 1 > MAX_TREE_HEIGHT) {
      throw ExprTooLarge([`expression has more than ${MAX_TREE_HEIGHT} nested operations; split it`], this.loc(n.at))
    }
    const frozen = node(n)
    this.heights.set(frozen, h + 1)
    return frozen
  }

  protected peek(k = 0): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!
  }
  protected next(): Token {
    const t = this.peek()
    this.pos++
    return t
  }
  protected loc(at: number): { location: string } {
    return { location: locate(this.source, at) }
  }
  protected isWord(w: string, k = 0): boolean {
    const t = this.peek(k)
    return t.t === 'ident' && t.upper === w
  }
  protected isOp(o: string, k = 0): boolean {
    const t = this.peek(k)
    return t.t === 'op' && t.text === o
  }
  protected unexpected(expected: string): Error {
    const t = this.peek()
    if (t.t === 'ident' && STATEMENT_WORDS.has(t.upper)) return ExprStatementNotAllowed([t.upper], this.loc(t.at))
    return ExprSyntax([`unexpected ${describe(t)}; expected ${expected}`], this.loc(t.at))
  }
  protected expectOp(o: string): void {
    if (!this.isOp(o)) throw this.unexpected(`"${o}"`)
    this.next()
  }
  protected expectWord(w: string): void {
    if (!this.isWord(w)) throw this.unexpected(w)
    this.next()
  }
}
