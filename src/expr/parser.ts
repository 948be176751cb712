/**
 * Recursive-descent parser for `_function` bodies, with MariaDB's precedence (loosest first):
 * OR/||, XOR, AND/&&, NOT, comparison/IS, BETWEEN, IN/LIKE, + -, * / DIV % MOD, unary - + !.
 * The grammar is written out in docs/expressions.md.
 */
import { CAST_TYPES, INTERVAL_UNITS, type BinaryOp, type CastType, type IntervalUnit, type SqlNode } from './ast.js'
import { findFunction } from './builtins.js'
import { STATEMENT_WORDS, TokenCursor } from './cursor.js'
import {
  ExprArity,
  ExprBareColumn,
  ExprStatementNotAllowed,
  ExprSyntax,
  ExprTooLarge,
  ExprUnknownFunction,
} from './errors.js'
import { tokenize, type Token } from './lexer.js'
import { locate, MAX_DEPTH } from './template.js'

const COMPARISON: Record<string, BinaryOp> = {
  '=': '=',
  '<=>': '<=>',
  '<>': '<>',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
}
/** Keywords that are never a value on their own; used for better messages. */
const NILADIC: Record<string, string> = {
  CURRENT_TIMESTAMP: 'NOW',
  CURRENT_DATE: 'CURDATE',
  LOCALTIME: 'NOW',
  LOCALTIMESTAMP: 'NOW',
}

class Parser extends TokenCursor {
  parseAll(): SqlNode {
    const e = this.expr()
    if (this.peek().t !== 'eof') throw this.unexpected('an operator or the end of the expression')
    return e
  }

  expr(): SqlNode {
    if (++this.depth > MAX_DEPTH)
      throw ExprTooLarge([`expression is nested more than ${MAX_DEPTH} levels deep`], this.loc(this.peek().at))
    try {
      return this.or()
    } finally {
      this.depth--
    }
  }

  private binaryLoop(sub: () => SqlNode, ops: Record<string, BinaryOp>): SqlNode {
    let left = sub()
    for (;;) {
      const t = this.peek()
      const key = t.t === 'ident' ? t.upper : t.t === 'op' ? t.text : ''
      const op = Object.hasOwn(ops, key) ? ops[key] : undefined
      if (op === undefined) return left
      this.next()
      left = this.mk({ kind: 'Binary', op, left, right: sub(), at: t.at })
    }
  }

  private or(): SqlNode {
    return this.binaryLoop(() => this.xor(), { OR: 'OR', '||': 'OR' })
  }
  private xor(): SqlNode {
    return this.binaryLoop(() => this.and(), { XOR: 'XOR' })
  }
  private and(): SqlNode {
    return this.binaryLoop(() => this.not(), { AND: 'AND', '&&': 'AND' })
  }

  private not(): SqlNode {
    if (this.isWord('NOT')) {
      const at = this.next().at
      return this.mk({ kind: 'Unary', op: 'NOT', operand: this.not(), at })
    }
    return this.predicate()
  }

  /** MariaDB's bool_pri: comparisons and IS tests over predicates, left-associative. */
  private predicate(): SqlNode {
    let left = this.betweenLevel()
    for (;;) {
      const t = this.peek()
      if (t.t === 'op' && Object.hasOwn(COMPARISON, t.text)) {
        this.next()
        left = this.mk({ kind: 'Binary', op: COMPARISON[t.text]!, left, right: this.betweenLevel(), at: t.at })
        continue
      }
      if (t.t !== 'ident' || t.upper !== 'IS') return left
      this.next()
      const not = this.isWord('NOT') ? (this.next(), true) : false
      const w = this.next()
      const word = w.t === 'ident' ? w.upper : ''
      if (word === 'NULL' || word === 'UNKNOWN') left = this.mk({ kind: 'IsNull', operand: left, not, at: t.at })
      else if (word === 'TRUE' || word === 'FALSE')
        left = this.mk({ kind: 'IsBool', operand: left, value: word === 'TRUE', not, at: t.at })
      else {
        this.pos--
        throw this.unexpected('NULL, TRUE or FALSE after IS')
      }
    }
  }

  /**
   * `[NOT] BETWEEN` binds looser than IN/LIKE and tighter than comparisons, and its bounds are
   * predicates themselves: `a BETWEEN b AND c BETWEEN d AND e` is `a BETWEEN b AND (c BETWEEN d AND e)`
   * (MariaDB's grammar, checked by the differential test).
   */
  private betweenLevel(): SqlNode {
    let left = this.inLikeLevel()
    for (;;) {
      const not = this.isWord('NOT') && this.isWord('BETWEEN', 1)
      if (!not && !this.isWord('BETWEEN')) return left
      if (not) this.next()
      const at = this.next().at
      const low = this.betweenLevel()
      this.expectWord('AND')
      left = this.mk({ kind: 'Between', operand: left, low, high: this.betweenLevel(), not, at })
    }
  }

  /** `[NOT] IN (…)` and `[NOT] LIKE p [ESCAPE e]`, left-associative. */
  private inLikeLevel(): SqlNode {
    let left = this.additive()
    for (;;) {
      const not = this.isWord('NOT') && (this.isWord('IN', 1) || this.isWord('LIKE', 1))
      if (!not && !this.isWord('IN') && !this.isWord('LIKE')) return left
      if (not) this.next()
      const w = this.next()
      if (w.t === 'ident' && w.upper === 'IN') {
        this.expectOp('(')
        const list = [this.expr()]
        while (this.isOp(',')) {
          this.next()
          list.push(this.expr())
        }
        this.expectOp(')')
        left = this.mk({ kind: 'In', operand: left, list: Object.freeze(list), not, at: w.at })
      } else {
        const pattern = this.additive()
        let escape: SqlNode | undefined
        if (this.isWord('ESCAPE')) {
          this.next()
          escape = this.primary()
        }
        left = this.mk({ kind: 'Like', operand: left, pattern, escape, not, at: w.at })
      }
    }
  }

  private additive(): SqlNode {
    return this.binaryLoop(() => this.multiplicative(), { '+': '+', '-': '-' })
  }
  private multiplicative(): SqlNode {
    return this.binaryLoop(() => this.unary(), { '*': '*', '/': '/', DIV: 'DIV', '%': 'MOD', MOD: 'MOD' })
  }

  private unary(): SqlNode {
    const t = this.peek()
    if (t.t === 'op' && (t.text === '-' || t.text === '+' || t.text === '!')) {
      this.next()
      if (++this.depth > MAX_DEPTH)
        throw ExprTooLarge([`expression is nested more than ${MAX_DEPTH} levels deep`], this.loc(t.at))
      try {
        const operand = this.unary()
        if (t.text === '+') return operand
        return this.mk({ kind: 'Unary', op: t.text === '-' ? '-' : 'NOT', operand, at: t.at })
      } finally {
        this.depth--
      }
    }
    return this.primary()
  }

  private primary(): SqlNode {
    const t = this.next()
    switch (t.t) {
      case 'num':
        return this.mk({ kind: 'NumberLit', text: t.text, approx: t.approx, at: t.at })
      case 'str':
        return this.mk({ kind: 'StringLit', parts: Object.freeze([...t.parts]), at: t.at })
      case 'ref':
        return t.ref
      case 'lookup':
        return t.lookup
      case 'op':
        if (t.text === '(') {
          const e = this.expr()
          if (this.isOp(','))
            throw ExprSyntax(['row values such as (a, b) are not supported'], this.loc(this.peek().at))
          this.expectOp(')')
          return e
        }
        this.pos--
        throw this.unexpected('a value')
      case 'eof':
        this.pos--
        throw this.unexpected('a value')
      case 'ident':
        return this.word(t)
    }
  }

  private word(t: Extract<Token, { t: 'ident' }>): SqlNode {
    switch (t.upper) {
      case 'NULL':
        return this.mk({ kind: 'NullLit', at: t.at })
      case 'TRUE':
        return this.mk({ kind: 'NumberLit', text: '1', approx: false, at: t.at })
      case 'FALSE':
        return this.mk({ kind: 'NumberLit', text: '0', approx: false, at: t.at })
      case 'CASE':
        return this.caseExpr(t.at)
      case 'INTERVAL': {
        const value = this.additive()
        const u = this.next()
        const unit = u.t === 'ident' ? u.upper.replace(/S$/, '') : ''
        if (!(INTERVAL_UNITS as readonly string[]).includes(unit)) {
          this.pos--
          throw this.unexpected(`an interval unit (${INTERVAL_UNITS.join(', ')})`)
        }
        return this.mk({ kind: 'Interval', value, unit: unit as IntervalUnit, at: t.at })
      }
      case 'CAST':
      case 'CONVERT': {
        this.expectOp('(')
        const operand = this.expr()
        if (t.upper === 'CAST') this.expectWord('AS')
        else this.expectOp(',')
        return this.castType(operand, t.at)
      }
    }
    if (STATEMENT_WORDS.has(t.upper)) throw ExprStatementNotAllowed([t.upper], this.loc(t.at))
    const niladic = NILADIC[t.upper]
    if (niladic !== undefined && !this.isOp('('))
      return this.mk({ kind: 'Call', name: niladic, args: Object.freeze([]), at: t.at })
    if (!this.isOp('(')) throw ExprBareColumn([t.text], this.loc(t.at))
    const spec = findFunction(niladic ?? t.upper)
    if (spec === undefined) throw ExprUnknownFunction([t.text], this.loc(t.at))
    this.next()
    const args = this.callArgs(spec.name)
    if (args.length < spec.min || args.length > spec.max)
      throw ExprArity([spec.name, spec.signature, args.length], this.loc(t.at))
    return this.mk({ kind: 'Call', name: spec.name, args: Object.freeze(args), at: t.at })
  }

  /** Arguments, including MySQL's keyword forms TRIM(BOTH x FROM s) and SUBSTRING(s FROM p FOR n). */
  private callArgs(name: string): SqlNode[] {
    if (this.isOp(')')) {
      this.next()
      return []
    }
    if (name === 'TRIM') {
      const mode = ['BOTH', 'LEADING', 'TRAILING'].find((w) => this.isWord(w))
      if (mode !== undefined) this.next()
      if (mode !== undefined && this.isWord('FROM')) {
        this.next()
        const s = this.expr()
        this.expectOp(')')
        return [s, this.mk({ kind: 'StringLit', parts: [' '], at: s.at }), this.modeLit(mode, s.at)]
      }
      const first = this.expr()
      if (this.isWord('FROM')) {
        this.next()
        const s = this.expr()
        this.expectOp(')')
        return [s, first, this.modeLit(mode ?? 'BOTH', first.at)]
      }
      if (mode !== undefined) throw this.unexpected('FROM')
      this.expectOp(')')
      return [first]
    }
    const args = [this.expr()]
    if (name === 'SUBSTRING' && this.isWord('FROM')) {
      this.next()
      args.push(this.expr())
      if (this.isWord('FOR')) {
        this.next()
        args.push(this.expr())
      }
      this.expectOp(')')
      return args
    }
    while (this.isOp(',')) {
      this.next()
      args.push(this.expr())
    }
    this.expectOp(')')
    return args
  }

  private modeLit(mode: string, at: number): SqlNode {
    return this.mk({ kind: 'StringLit', parts: [mode], at })
  }

  private castType(operand: SqlNode, at: number): SqlNode {
    const w = this.next()
    let type = w.t === 'ident' ? w.upper : ''
    if (type === 'INTEGER' || type === 'INT') type = 'SIGNED'
    if (type === 'NCHAR' || type === 'VARCHAR') type = 'CHAR'
    if (type === 'REAL' || type === 'FLOAT') type = 'DOUBLE'
    if (!(CAST_TYPES as readonly string[]).includes(type)) {
      this.pos--
      throw this.unexpected(`a type (${CAST_TYPES.join(', ')})`)
    }
    if ((type === 'SIGNED' || type === 'UNSIGNED') && (this.isWord('INTEGER') || this.isWord('INT'))) this.next()
    let m: number | undefined
    let d: number | undefined
    if (this.isOp('(')) {
      this.next()
      const a = this.next()
      if (a.t !== 'num') {
        this.pos--
        throw this.unexpected('a length')
      }
      m = Number(a.text)
      if (this.isOp(',')) {
        this.next()
        const b = this.next()
        if (b.t !== 'num') {
          this.pos--
          throw this.unexpected('a scale')
        }
        d = Number(b.text)
      }
      this.expectOp(')')
    }
    if (type === 'DECIMAL' && (m ?? 10) < (d ?? 0))
      throw ExprSyntax([`DECIMAL(${m}, ${d}): the scale cannot exceed the precision`], this.loc(at))
    if (type === 'DECIMAL' && ((m ?? 10) > 65 || (d ?? 0) > 30))
      throw ExprSyntax(['DECIMAL allows at most 65 digits and 30 decimals'], this.loc(at))
    this.expectOp(')')
    return this.mk({ kind: 'Cast', operand, type: type as CastType, m, d, at })
  }

  private caseExpr(at: number): SqlNode {
    const operand = this.isWord('WHEN') ? undefined : this.expr()
    const whens: { when: SqlNode; then: SqlNode }[] = []
    while (this.isWord('WHEN')) {
      this.next()
      const when = this.expr()
      this.expectWord('THEN')
      whens.push(Object.freeze({ when, then: this.expr() }))
    }
    if (whens.length === 0) throw this.unexpected('WHEN')
    let otherwise: SqlNode | undefined
    if (this.isWord('ELSE')) {
      this.next()
      otherwise = this.expr()
    }
    this.expectWord('END')
    return this.mk({ kind: 'Case', operand, whens: Object.freeze(whens), otherwise, at })
  }
}

/** Parse the `_function` body `source[start, end)`. Throws FerryError (kind config) with line:column. */
export function parseSql(source: string, start: number, end = source.length): SqlNode {
  const tokens = tokenize(source, start, end)
  if (tokens.length === 1)
    throw ExprSyntax(['_function has no expression after it'], { location: locate(source, start) })
  return new Parser(source, tokens).parseAll()
}
