/**
 * Error codes of the expression language. Parse-time problems are `config` (the scheme is wrong
 * and `ferry validate` reports them with `line:column`); evaluation problems caused by a record's
 * data are `data` (the record fails, the rest continue).
 */
import { defineError } from '../core/errors.js'

export const ExprSyntax = defineError(
  {
    code: 'ERR_EXPR_SYNTAX',
    kind: 'config',
    meaning: 'A value expression does not follow the grammar (templates, _function or _findCollection).',
    fix: 'Correct the expression at the reported line:column; see docs/expressions.md for the grammar.',
  },
  (detail: string) => detail,
)

export const ExprStatementNotAllowed = defineError(
  {
    code: 'ERR_EXPR_STATEMENT_NOT_ALLOWED',
    kind: 'config',
    meaning: 'A _function expression contains statement syntax (SELECT, AS, a semicolon or a comment).',
    fix: 'Write only the expression after `_function`, as the platform requires: no SELECT, AS, `;` or comments.',
  },
  (what: string) => `${what} is not allowed in a _function expression; write only the expression itself`,
)

export const ExprUnknownFunction = defineError(
  {
    code: 'ERR_EXPR_UNKNOWN_FUNCTION',
    kind: 'config',
    meaning: 'A _function expression calls a function Ferry does not implement.',
    fix: 'Use one of the functions listed in docs/expressions.md (names are case-insensitive).',
  },
  (name: string) => `unknown function ${name}(); see docs/expressions.md for the supported functions`,
)

export const ExprArity = defineError(
  {
    code: 'ERR_EXPR_ARITY',
    kind: 'config',
    meaning: 'A function is called with the wrong number of arguments.',
    fix: 'Call the function with the arguments its signature lists.',
  },
  (name: string, signature: string, got: number) =>
    `${name} takes ${signature}, got ${got} argument${got === 1 ? '' : 's'}`,
)

export const ExprUnknownFilter = defineError(
  {
    code: 'ERR_EXPR_UNKNOWN_FILTER',
    kind: 'config',
    meaning: 'A template `{{path|filter}}` names a filter Ferry does not know.',
    fix: 'Use datetime, date, timestamp or timestamp_ms (case-insensitive).',
  },
  (name: string) => `unknown filter "${name}"; expected one of datetime, date, timestamp, timestamp_ms`,
)

export const ExprBareColumn = defineError(
  {
    code: 'ERR_EXPR_BARE_COLUMN',
    kind: 'config',
    meaning: 'A _function expression names a bare field; fields must be written as templates.',
    fix: "Wrap the field in braces, e.g. {{items.qty}}; quote it as a string ( '{{name}}' ) where a text value is meant.",
  },
  (name: string) =>
    `"${name}" is not a value; write the field as {{${name}}} (braces may have been lost when the scheme was copied)`,
)

export const ExprTooLarge = defineError(
  {
    code: 'ERR_EXPR_TOO_LARGE',
    kind: 'config',
    meaning: 'A value expression is longer or more deeply nested than Ferry accepts.',
    fix: 'Split the expression or simplify it; the limits are in docs/expressions.md.',
  },
  (detail: string) => detail,
)

export const ExprBadLookup = defineError(
  {
    code: 'ERR_EXPR_BAD_LOOKUP',
    kind: 'config',
    meaning: 'A _findCollection lookup does not follow `find <field> from <collection> where k=v ...`.',
    fix: 'Write `_findCollection find <field> from <collection> where key={{path}}`, and end it with `_endFind` inside _function.',
  },
  (detail: string) => detail,
)

export const ExprEvaluation = defineError(
  {
    code: 'ERR_EXPR_EVALUATION',
    kind: 'data',
    meaning: "A value expression could not be evaluated with this record's data.",
    fix: 'Check the record values the expression reads (the message names the problem), or guard them with IFNULL/CASE.',
  },
  (detail: string) => detail,
)

export const ExprFilterInput = defineError(
  {
    code: 'ERR_EXPR_FILTER_INPUT',
    kind: 'data',
    meaning: 'A template filter got a value it cannot read as a time.',
    fix: 'Make sure the field holds Unix seconds or a date text such as 2024-01-31 08:00:00.',
  },
  (filter: string, value: string) =>
    `filter ${filter} cannot read ${value} as a time (expected Unix seconds or YYYY-MM-DD[ HH:MM:SS])`,
)

export const ExprVariableUnset = defineError(
  {
    code: 'ERR_EXPR_VARIABLE_UNSET',
    kind: 'config',
    meaning: 'An expression reads a system variable that has no value in this run.',
    fix: 'The engine sets LAST_SYNC_TIME and the pagination variables per run; with `ferry expr` pass --var NAME=VALUE.',
  },
  (name: string) => `system variable ${name} has no value here`,
)

export const ExprNoLookupProvider = defineError(
  {
    code: 'ERR_EXPR_NO_LOOKUP_PROVIDER',
    kind: 'config',
    meaning: 'A _findCollection lookup ran where no lookup store is configured.',
    fix: 'Run the scheme through the engine (which provides the store), or pass --lookup <collection>=<file.json> to `ferry expr`.',
  },
  (collection: string) => `no lookup store is available to resolve _findCollection from ${collection}`,
)

export const ExprBadTimeZone = defineError(
  {
    code: 'ERR_EXPR_BAD_TIME_ZONE',
    kind: 'config',
    meaning: 'The time zone given for a scheme or command is not an IANA zone name.',
    fix: 'Use an IANA name such as Asia/Shanghai or UTC.',
  },
  (tz: string) => `unknown time zone "${tz}"; use an IANA name such as Asia/Shanghai`,
)

export const ExprCliArgument = defineError(
  {
    code: 'ERR_EXPR_CLI_ARGUMENT',
    kind: 'user',
    meaning: 'An option of `ferry expr` could not be read.',
    fix: 'Check the option named in the message: --record takes JSON, --var NAME=VALUE, --now ISO-8601, --lookup name=file.json.',
  },
  (detail: string) => detail,
)
