/**
 * The inputs an expression reads, without running it (Bloblang's QueryTargets): record paths as
 * written, system variables, and lookups. The flow designer draws lineage from these.
 */
import type { SqlNode, ValueNode } from './ast.js'
import { isVariableName } from './context.js'

export type ExprInput =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'lookup'; readonly collection: string; readonly field: string }

function refInput(path: readonly string[]): ExprInput {
  return path.length === 1 && isVariableName(path[0]!)
    ? { kind: 'variable', name: path[0]! }
    : { kind: 'path', path: path.join('.') }
}

function sqlInputs(n: SqlNode, out: ExprInput[]): void {
  switch (n.kind) {
    case 'NumberLit':
    case 'NullLit':
      return
    case 'StringLit':
      for (const p of n.parts) if (typeof p !== 'string') out.push(refInput(p.path))
      return
    case 'Ref':
      out.push(refInput(n.path))
      return
    case 'Lookup':
      valueInputs(n, out)
      return
    case 'Unary':
      sqlInputs(n.operand, out)
      return
    case 'Binary':
      sqlInputs(n.left, out)
      sqlInputs(n.right, out)
      return
    case 'IsNull':
    case 'IsBool':
      sqlInputs(n.operand, out)
      return
    case 'In':
      sqlInputs(n.operand, out)
      for (const x of n.list) sqlInputs(x, out)
      return
    case 'Between':
      sqlInputs(n.operand, out)
      sqlInputs(n.low, out)
      sqlInputs(n.high, out)
      return
    case 'Like':
      sqlInputs(n.operand, out)
      sqlInputs(n.pattern, out)
      if (n.escape !== undefined) sqlInputs(n.escape, out)
      return
    case 'Case':
      if (n.operand !== undefined) sqlInputs(n.operand, out)
      for (const w of n.whens) {
        sqlInputs(w.when, out)
        sqlInputs(w.then, out)
      }
      if (n.otherwise !== undefined) sqlInputs(n.otherwise, out)
      return
    case 'Call':
      for (const a of n.args) sqlInputs(a, out)
      return
    case 'Interval':
      sqlInputs(n.value, out)
      return
    case 'Cast':
      sqlInputs(n.operand, out)
      return
  }
}

function valueInputs(n: ValueNode, out: ExprInput[]): void {
  switch (n.kind) {
    case 'Literal':
      return
    case 'Template':
      for (const p of n.parts) if (typeof p !== 'string') out.push(refInput(p.path))
      return
    case 'Function':
      sqlInputs(n.body, out)
      return
    case 'Lookup':
      out.push({ kind: 'lookup', collection: n.collection, field: n.field })
      for (const c of n.where) for (const v of c.anyOf ?? [c.value]) valueInputs(v, out)
      return
    case 'ArrayKey':
      out.push({ kind: 'path', path: n.path.join('.') })
      return
  }
}

/** Structured inputs, in order of appearance, without duplicates. */
export function inputs(n: ValueNode): ExprInput[] {
  const out: ExprInput[] = []
  valueInputs(n, out)
  const seen = new Set<string>()
  return out.filter((i) => {
    const k = inputKey(i)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

function inputKey(i: ExprInput): string {
  switch (i.kind) {
    case 'path':
      return i.path
    case 'variable':
      return `var:${i.name}`
    case 'lookup':
      return `lookup:${i.collection}#${i.field}`
  }
}

/**
 * The inputs as strings: record paths as written (`io_date`, `items.sku_id`), `var:NAME` for
 * system variables and `lookup:<collection>#<field>` for each `_findCollection`.
 */
export function targets(n: ValueNode): string[] {
  return inputs(n).map(inputKey)
}
