/** Error codes of the tiny-vendor connector (a test fixture: not part of docs/errors.md). */
import { defineError } from '../../../src/core/errors.js'

export const TinyAnswerInvalid = defineError(
  {
    code: 'ERR_TINY_ANSWER',
    kind: 'transient',
    meaning: 'The tiny vendor answered in a shape the connector does not know.',
    fix: 'Retry; if it persists, the fake vendor and its connector disagree.',
  },
  (path: string) => `tiny vendor: unexpected answer from ${path}`,
)
