/**
 * Error codes of the scheme area: loading, validating and applying scheme files.
 * Locations are JSON paths into the scheme file (`source.metadata.condition[0][1].logic`), or
 * `line:column` for syntax errors, or `path@line:column` for a position inside a `value`.
 */
import { defineError } from '../core/errors.js'

export const SchemeRead = defineError(
  {
    code: 'ERR_SCHEME_READ',
    kind: 'user',
    meaning: 'The scheme file (or an input file given to a scheme command) could not be read.',
    fix: 'Check the path and the file permissions.',
  },
  (file: string, reason: string) => `cannot read ${file}: ${reason}`,
)

export const SchemeSyntax = defineError(
  {
    code: 'ERR_SCHEME_SYNTAX',
    kind: 'config',
    meaning: 'The scheme file is not well-formed JSON or YAML.',
    fix: 'Fix the syntax at the reported line and column.',
  },
  (format: string, reason: string) => `${format} syntax error: ${reason}`,
)

export const SchemeLimit = defineError(
  {
    code: 'ERR_SCHEME_LIMIT',
    kind: 'config',
    meaning:
      'The scheme nests objects and lists deeper than Ferry accepts (docs/schemes.md, Limits), or the file is too large.',
    fix: 'Flatten the structure at the reported path; real schemes nest a few levels deep.',
  },
  (detail: string) => detail,
)

export const SchemeMissingKey = defineError(
  {
    code: 'ERR_SCHEME_MISSING_KEY',
    kind: 'config',
    meaning: 'A key the scheme needs is missing or empty.',
    fix: 'Add the key at the reported path.',
  },
  (key: string, hint: string) => `"${key}" is required${hint === '' ? '' : `: ${hint}`}`,
)

export const SchemeType = defineError(
  {
    code: 'ERR_SCHEME_TYPE',
    kind: 'config',
    meaning: 'A scheme key holds a value of the wrong type.',
    fix: 'Change the value at the reported path to the expected type.',
  },
  (expected: string, got: string) => `expected ${expected}, got ${got}`,
)

export const SchemeValue = defineError(
  {
    code: 'ERR_SCHEME_VALUE',
    kind: 'config',
    meaning: 'A scheme key holds a value outside the allowed set or range.',
    fix: 'Use one of the values named in the message.',
  },
  (got: string, expected: string) => `invalid value ${got}; expected ${expected}`,
)

export const EffectConflict = defineError(
  {
    code: 'ERR_EFFECT_CONFLICT',
    kind: 'config',
    meaning: 'Metadata has both `effect` and `type` and they disagree.',
    fix: 'Keep one of the two keys, or make them equal.',
  },
  (effect: string, type: string) =>
    `"effect" is ${effect} but "type" is ${type}; they name the same thing and must agree`,
)

export const EffectSide = defineError(
  {
    code: 'ERR_EFFECT_SIDE',
    kind: 'config',
    meaning: 'A source side is declared EXECUTE or a target side QUERY.',
    fix: 'The source metadata reads (QUERY); the target metadata writes (EXECUTE).',
  },
  (side: string, got: string, expected: string) => `the ${side} side is ${got}; a ${side} must be ${expected}`,
)

export const UnknownOperator = defineError(
  {
    code: 'ERR_UNKNOWN_OPERATOR',
    kind: 'config',
    meaning: 'A condition clause uses a `logic` operator Ferry does not know.',
    fix: 'Use one of the operators listed in the message (docs/schemes.md, "condition").',
  },
  (op: string, known: string) => `unknown operator "${op}"; expected one of ${known}`,
)

export const ConditionValue = defineError(
  {
    code: 'ERR_CONDITION_VALUE',
    kind: 'config',
    meaning: 'A condition clause value does not fit its operator (e.g. `between` without "min,max").',
    fix: 'Write the value in the form the message gives.',
  },
  (logic: string, expected: string, got: string) => `"${logic}" needs ${expected}, got ${got}`,
)

export const BadCrontab = defineError(
  {
    code: 'ERR_BAD_CRONTAB',
    kind: 'config',
    meaning: 'A crontab is not a valid five-field cron expression.',
    fix: 'Write minute hour day-of-month month day-of-week, e.g. "*/5 * * * *".',
  },
  (crontab: string, reason: string) => `invalid crontab "${crontab}": ${reason}`,
)

export const BadTimeZone = defineError(
  {
    code: 'ERR_BAD_TIMEZONE',
    kind: 'config',
    meaning: 'The scheme names a time zone that is not an IANA zone.',
    fix: 'Use an IANA zone name such as Asia/Shanghai.',
  },
  (zone: string) => `unknown time zone "${zone}"; use an IANA name such as Asia/Shanghai`,
)

export const DuplicateField = defineError(
  {
    code: 'ERR_DUPLICATE_FIELD',
    kind: 'config',
    meaning: 'Two items of one request list set the same `field`, so one would silently win.',
    fix: 'Remove or rename one of the two items.',
  },
  (field: string, first: string) => `field "${field}" is already set at ${first}`,
)

export const UnknownParser = defineError(
  {
    code: 'ERR_UNKNOWN_PARSER',
    kind: 'config',
    meaning: 'A field spec names a value parser Ferry does not implement.',
    fix: 'Use one of the parsers listed in the message, or compute the value with _function.',
  },
  (name: string, known: string) => `unknown parser "${name}"; Ferry implements ${known}`,
)

export const ParserInput = defineError(
  {
    code: 'ERR_PARSER_INPUT',
    kind: 'data',
    meaning: 'A value parser got a value it cannot convert (ConvertJson needs an object or the JSON text of one).',
    fix: 'Fix the mapping so the field yields what the parser expects, or remove the parser.',
  },
  (parser: string, field: string, got: string) => `${parser} on ${field || 'the value'} cannot convert ${got}`,
)

export const UnknownAccumulator = defineError(
  {
    code: 'ERR_UNKNOWN_ACCUMULATOR',
    kind: 'config',
    meaning: 'groupCalculate.calculate names an aggregation Ferry does not know.',
    fix: 'Use one of the accumulators listed in the message.',
  },
  (op: string, known: string) => `unknown accumulator "${op}"; expected one of ${known}`,
)

export const SchemeInvalid = defineError(
  {
    code: 'ERR_SCHEME_INVALID',
    kind: 'config',
    meaning: 'The scheme file has validation errors, so it cannot run.',
    fix: 'Run `ferry validate <file>` and fix every listed error.',
  },
  (file: string, count: number, first: string) => `${file} has ${count} error(s); first: ${first}`,
)

export const TargetValueType = defineError(
  {
    code: 'ERR_TARGET_VALUE_TYPE',
    kind: 'data',
    meaning: 'A mapped target value cannot be converted to the type its field spec declares.',
    fix: 'Fix the source record or the mapping expression of the reported field.',
  },
  (field: string, type: string, got: string) => `target field ${field} is declared ${type} but the value is ${got}`,
)

export const TargetArraySource = defineError(
  {
    code: 'ERR_TARGET_ARRAY_SOURCE',
    kind: 'data',
    meaning: 'A target detail array names a source key that holds something other than a list.',
    fix: 'Point the array field\'s value at the source detail array (e.g. "items"), or fix the record.',
  },
  (field: string, key: string, got: string) =>
    `target array ${field} reads source key "${key}", which is ${got}, not a list`,
)

export const FilterInput = defineError(
  {
    code: 'ERR_FILTER_INPUT',
    kind: 'user',
    meaning: 'The input given to `ferry filter` is not a JSON array of documents.',
    fix: "Pass a file holding a JSON array of objects (the source API's list rows).",
  },
  (reason: string) => `filter input: ${reason}`,
)
