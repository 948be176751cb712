/** Schemas shared by several routes. */
import { Type } from '@sinclair/typebox'

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable error code (docs/errors.md).' }),
    message: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown(), {
      description: '`kind`, `location` (JSON path) and code-specific fields.',
    }),
  },
  { $id: 'ErrorBody', additionalProperties: false },
)

export const SchemeParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)
export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)
export const RecordParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }), recordId: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
)

/** ISO 8601 date-time (with offset) or `YYYY-MM-DD[ HH:mm[:ss]]` read in Asia/Shanghai, as on the command line. */
export const Time = Type.String({ minLength: 10, maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}([ T].*)?$' })

export const Stages = Type.Array(Type.Union([Type.Literal('source'), Type.Literal('target'), Type.Literal('remedy')]), {
  minItems: 1,
  maxItems: 3,
  uniqueItems: true,
})

export const Limit = Type.Integer({ minimum: 1, maximum: 1000 })
export const Cursor = Type.String({ pattern: '^\\d{1,15}$' })
