/** Error codes of the batch-http connector; row outcomes come from the batch answer (catalogue.ts). */
import { defineError } from '../../core/errors.js'

export const BatchHttpProbeAnswer = defineError(
  {
    code: 'ERR_BATCH_HTTP_PROBE_ANSWER',
    kind: 'transient',
    meaning:
      'The target answered a probe (`GET <api>/query?number=…`) without `{"exists": true|false}`, so Ferry cannot tell whether the document exists.',
    fix: 'Nothing to do for a one-off; if it persists, check that the target implements the probe endpoint of docs/connectors/batch-http.md.',
  },
  (api: string, key: string) => `probe of ${key} on ${api}: the answer has no boolean "exists"`,
)
