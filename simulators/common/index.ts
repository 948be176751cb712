/**
 * Shared simulator machinery: clock, seeded PRNG, request log and counters, fault engine and
 * profiles, rate-limit windows, the HTTP server helper and the shared admin routes.
 */
export { createClock, type SimClock, type ClockOptions } from './clock.js'
export { createRng, type Rng } from './prng.js'
export { RequestLog, type LogEntry, type LogFilter, type EndpointCounters, type Outcome } from './request-log.js'
export {
  FaultEngine,
  validateRules,
  type Fault,
  type FaultKind,
  type FaultRule,
  type FaultTrigger,
  type FaultDecision,
} from './faults.js'
export { faultProfile, isProfileName, PROFILE_NAMES, type ProfileName } from './profiles.js'
export { WindowCounter, type WindowLimit, type WindowMode } from './rate-limit.js'
export {
  startSimServer,
  jsonResponse,
  htmlPage,
  gatewayPage,
  type SimRequest,
  type SimResponse,
  type SimHandler,
  type SimServerOptions,
  type RunningServer,
  type LogMeta,
} from './http.js'
export { createAdminHandler, adminError, adminBody, type AdminContext } from './admin.js'
