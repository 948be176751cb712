/**
 * Error codes of the data-quality rules declared on a scheme's target side (`target.quality`).
 * A failing record is parked as a `data` error with the rule's code and the field path.
 */
import { defineError } from '../core/errors.js'

export const QualityRuleInvalid = defineError(
  {
    code: 'ERR_QUALITY_RULE_INVALID',
    kind: 'config',
    meaning:
      "A data-quality rule in the scheme's `target.quality` list is malformed (unknown rule, missing path, a regex that is too long or not linear-safe).",
    fix: 'Fix the rule at the path shown; docs/schemes.md lists the rules and their fields.',
  },
  (what: string) => what,
)

const quality = (code: string, meaning: string, message: (path: string, detail: string) => string) =>
  defineError(
    {
      code,
      kind: 'data',
      meaning,
      fix: 'Fix the source document or the mapping (or the rule, when it is too strict), then `ferry retry` the record.',
    },
    message,
  )

export const QualityRequired = quality(
  'ERR_QUALITY_REQUIRED',
  'A field a `required` quality rule names is empty after mapping.',
  (p, d) => `${p} is required${d === '' ? '' : ` (${d})`}`,
)
export const QualityType = quality(
  'ERR_QUALITY_TYPE',
  'A field does not have the type its `type` quality rule demands.',
  (p, d) => `${p} ${d}`,
)
export const QualityRange = quality(
  'ERR_QUALITY_RANGE',
  "A number (or a string's length) is outside the bounds of its `range` quality rule.",
  (p, d) => `${p} ${d}`,
)
export const QualityPattern = quality(
  'ERR_QUALITY_PATTERN',
  'A field does not match the pattern of its `regex` quality rule.',
  (p, d) => `${p} ${d}`,
)
export const QualityNotAllowed = quality(
  'ERR_QUALITY_NOT_ALLOWED',
  'A field holds a value outside the list of its `allowed` quality rule.',
  (p, d) => `${p} ${d}`,
)
export const QualityDuplicate = quality(
  'ERR_QUALITY_DUPLICATE',
  'Two records of one run carry the same value in a field a `unique` quality rule names.',
  (p, d) => `${p} ${d}`,
)
export const QualityLookup = quality(
  'ERR_QUALITY_LOOKUP',
  'A field a `lookup` quality rule names has no matching row in the collection it must resolve in.',
  (p, d) => `${p} ${d}`,
)
