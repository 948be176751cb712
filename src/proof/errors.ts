/**
 * Error codes of the proof tools: reconciliation findings, ledger invariant violations and the
 * problems that stop a reconcile or verify from running at all.
 */
import { defineError } from '../core/errors.js'

export const ReconcileMissing = defineError(
  {
    code: 'ERR_RECONCILE_MISSING',
    kind: 'data',
    meaning: 'A qualifying source record has no document in the target (never written, or deleted there).',
    fix: 'Run `ferry reconcile <scheme> --from … --to … --repair` to queue it for writing, then let the target stage run.',
  },
  (key: string, reason: string) => `missing in target: ${key}: ${reason}`,
)

export const ReconcileExtra = defineError(
  {
    code: 'ERR_RECONCILE_EXTRA',
    kind: 'data',
    meaning: 'The target holds a document in the range that no source record of the range explains.',
    fix: 'Check who created it in the target; Ferry never deletes target documents, so remove or keep it by hand.',
  },
  (key: string, reason: string) => `extra in target: ${key}: ${reason}`,
)

export const ReconcileMismatch = defineError(
  {
    code: 'ERR_RECONCILE_MISMATCH',
    kind: 'data',
    meaning:
      'The target document for a source record differs from what the scheme maps (entries, quantities or header fields).',
    fix: 'Compare the two with `ferry record <scheme> <id>`; correct the document in the target by hand (Ferry never edits it).',
  },
  (key: string, reason: string) => `mismatched: ${key}: ${reason}`,
)

export const ReconcileRange = defineError(
  {
    code: 'ERR_RECONCILE_RANGE',
    kind: 'user',
    meaning: 'The reconcile range is empty or reversed.',
    fix: 'Give --from earlier than --to.',
  },
  (from: string, to: string) => `--from ${from} must be earlier than --to ${to}`,
)

export const ReconcileNoTarget = defineError(
  {
    code: 'ERR_RECONCILE_NO_TARGET',
    kind: 'config',
    meaning:
      'The scheme has no target side, or its target connector offers no way to list documents, so there is nothing to reconcile against.',
    fix: 'Reconcile a scheme that writes to a target whose connector has a document list reader (e.g. kingdee-jdy check-loss bills).',
  },
  (scheme: string, why: string) => `cannot reconcile scheme ${scheme}: ${why}`,
)

export const VerifyNotSettled = defineError(
  {
    code: 'ERR_VERIFY_NOT_SETTLED',
    kind: 'data',
    meaning:
      'A ledger record is neither settled (done, duplicate, parked as error) nor has a next attempt planned, so nothing will ever move it.',
    fix: 'Requeue it with `ferry retry <scheme> <id>`; report it with the run log, it points to an engine bug.',
  },
  (id: string, status: string) => `record ${id} is ${status} with no next attempt planned`,
)

export const VerifyKeyTwoTargets = defineError(
  {
    code: 'ERR_VERIFY_KEY_TWO_TARGETS',
    kind: 'data',
    meaning:
      'One business key maps to two different target documents, or two business keys to one document: a duplicate in the target.',
    fix: 'Find the documents in the target by key, keep one and delete the other by hand, then `ferry reconcile` the range.',
  },
  (what: string) => what,
)

export const VerifyDoneWithoutProof = defineError(
  {
    code: 'ERR_VERIFY_DONE_WITHOUT_PROOF',
    kind: 'data',
    meaning: 'A record marked done lacks the target id or the target response that proves the write.',
    fix: "Run `ferry reconcile` over the record's range to check the target; report the record, it points to an engine bug.",
  },
  (id: string, what: string) => `record ${id} is done without ${what}`,
)

export const VerifyCursorGap = defineError(
  {
    code: 'ERR_VERIFY_CURSOR_GAP',
    kind: 'data',
    meaning:
      "The scheme's cursor (LAST_SYNC_TIME) lies past a time window that was never closed, so records of that window may never be fetched.",
    fix: 'Backfill the gap with `ferry run <scheme> --from <gap start> --to <gap end>`; report it, the cursor must never pass an unfetched window.',
  },
  (api: string, gap: string, cursor: string) =>
    `${api}: window ${gap} lies before the cursor ${cursor} but is not closed`,
)

export const ReconcileListRunaway = defineError(
  {
    code: 'ERR_RECONCILE_LIST_RUNAWAY',
    kind: 'transient',
    meaning:
      "The target's document list keeps announcing more pages but serves nothing new, so reconcile stopped listing instead of paging forever.",
    fix: "Try again later; if it persists, the target's list API is misbehaving (e.g. an absurd total_page): report it with the reconcile range.",
  },
  (api: string, pages: number) =>
    `${api} served ${pages} pages in a row with nothing new while announcing more; listing stopped`,
)

export const ReconcileDuplicate = defineError(
  {
    code: 'ERR_RECONCILE_DUPLICATE',
    kind: 'data',
    meaning:
      'The target holds more than one document with the same business key: exactly-once was broken (or a person made a copy by hand).',
    fix: 'Compare the documents listed (their ids are in the finding) with `ferry record <scheme> <id>`, keep the one the ledger points at and delete the others in the target by hand; Ferry never deletes documents.',
  },
  (key: string, detail: string) => `duplicate in target: ${key}: ${detail}`,
)

export const VerifyParked = defineError(
  {
    code: 'ERR_VERIFY_PARKED',
    kind: 'data',
    meaning:
      'A record is parked in the failed-record queue: it has no document in the target and nothing will write one until a person acts, so it is not settled.',
    fix: 'Fix the cause shown, then `ferry retry <scheme> <id>` (or `ferry edit`); if the record must never be written, `ferry resolve` it with a note.',
  },
  (id: string, why: string) => `record ${id} is parked (${why}); it waits for a person to retry, edit or resolve it`,
)

export const VerifyTargetMissing = defineError(
  {
    code: 'ERR_VERIFY_TARGET_MISSING',
    kind: 'data',
    meaning:
      'The ledger says a record was written, but the target has no document with its business key (deleted in the target, or the write never landed).',
    fix: "Run `ferry reconcile <scheme> --from … --to … --repair` for the record's range (or `ferry retry`), then let the target stage run.",
  },
  (id: string, key: string, targetId: string) =>
    `record ${id} is written as ${targetId} but the target has no document with key ${key}`,
)

export const VerifyTargetMismatch = defineError(
  {
    code: 'ERR_VERIFY_TARGET_MISMATCH',
    kind: 'data',
    meaning:
      "The ledger points a record at one target document, but the target's document for its business key is another one.",
    fix: 'Look at both documents in the target (`ferry record <scheme> <id>` shows what Ferry wrote); a second document with the same key is a duplicate to remove by hand.',
  },
  (id: string, key: string, ledgerId: string, targetId: string) =>
    `record ${id} points at ${ledgerId} but the target's document for key ${key} is ${targetId}`,
)

export const VerifyTargetDuplicate = defineError(
  {
    code: 'ERR_VERIFY_TARGET_DUPLICATE',
    kind: 'data',
    meaning: 'The target holds more than one document with one business key of this scheme.',
    fix: 'Keep the document the ledger points at and delete the others in the target by hand (see `ferry reconcile` for the range).',
  },
  (key: string, ids: string) => `the target holds ${ids} under key ${key}`,
)
