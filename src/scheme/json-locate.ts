/**
 * Finds where a JSON text stops being JSON. V8's JSON.parse messages do not always carry a
 * position (and never a line), so after JSON.parse fails this scanner walks the text once, with
 * an explicit stack (no recursion: a hostile file can nest a million brackets), and reports the
 * first offending offset with a plain reason.
 */

type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose' | 'end'

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y

export interface JsonErrorAt {
  readonly offset: number
  readonly reason: string
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function locateJsonError(text: string): JsonErrorAt | undefined {
  let i = 0
  const stack: ('{' | '[')[] = []
  let expect: Expect = 'value'
  const after = (): Expect => (stack.length === 0 ? 'end' : 'commaOrClose')
  const fail = (reason: string, at = i): JsonErrorAt => ({ offset: at, reason })

  // Scans a string starting at the opening quote; returns an error or advances `i` past it.
  const string = (): JsonErrorAt | undefined => {
    const start = i
    i++
    while (i < text.length) {
      const ch = text.charCodeAt(i)
      if (ch === 0x22) {
        i++
        return undefined
      }
      if (ch === 0x5c) {
        ESCAPE.lastIndex = i
        if (!ESCAPE.test(text)) return fail('invalid escape sequence in a string')
        i = ESCAPE.lastIndex
        continue
      }
      if (ch < 0x20)
        return fail(ch === 0x0a ? 'string not closed before the end of the line' : 'control character in a string')
      i++
    }
    return fail('string not closed', start)
  }

  const scalar = (c: string): JsonErrorAt | undefined => {
    if (c === '"') return string()
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length
        return undefined
      }
    }
    NUMBER.lastIndex = i
    if (/[-\d]/.test(c) && NUMBER.test(text)) {
      i = NUMBER.lastIndex
      return undefined
    }
    return fail(
      c === "'" ? 'strings must use double quotes' : `unexpected character ${JSON.stringify(c)}; expected a value`,
    )
  }

  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
    const c = text[i]
    if (expect === 'end') return c === undefined ? undefined : fail('unexpected text after the end of the document')
    if (c === undefined)
      return fail(
        stack.length === 0
          ? 'the document is empty'
          : `unexpected end of input; a "${stack[stack.length - 1]!}" is not closed`,
      )
    switch (expect) {
      case 'value':
      case 'valueOrClose': {
        if (expect === 'valueOrClose' && c === ']') {
          stack.pop()
          i++
          expect = after()
          break
        }
        if (c === '{') {
          stack.push('{')
          i++
          expect = 'keyOrClose'
          break
        }
        if (c === '[') {
          stack.push('[')
          i++
          expect = 'valueOrClose'
          break
        }
        if (c === ']' || c === '}') return fail(`unexpected "${c}"; a value is missing (trailing comma?)`)
        const err = scalar(c)
        if (err !== undefined) return err
        expect = after()
        break
      }
      case 'key':
      case 'keyOrClose': {
        if (expect === 'keyOrClose' && c === '}') {
          stack.pop()
          i++
          expect = after()
          break
        }
        if (c !== '"')
          return fail(
            c === '}' ? 'unexpected "}" after a comma (trailing comma?)' : 'expected a double-quoted property name',
          )
        const err = string()
        if (err !== undefined) return err
        expect = 'colon'
        break
      }
      case 'colon':
        if (c !== ':') return fail('expected ":" after the property name')
        i++
        expect = 'value'
        break
      case 'commaOrClose': {
        const top = stack[stack.length - 1]
        if (c === ',') {
          i++
          expect = top === '{' ? 'key' : 'value'
          break
        }
        if ((top === '{' && c === '}') || (top === '[' && c === ']')) {
          stack.pop()
          i++
          expect = after()
          break
        }
        return fail(
          top === '{' ? 'expected "," or "}" after a property value' : 'expected "," or "]" after a list element',
        )
      }
    }
  }
}
