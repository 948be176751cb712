/** Error codes of the Ferry configuration file (`--config` / `FERRY_CONFIG`). */
import { defineError } from '../core/errors.js'

export const ConfigInvalid = defineError(
  {
    code: 'ERR_CONFIG_INVALID',
    kind: 'config',
    meaning: 'The configuration has problems; Ferry lists every one and starts nothing.',
    fix: 'Fix each listed problem (code, path, message) in the configuration file or environment.',
  },
  (count: number, file: string) =>
    `configuration ${file} has ${count} problem${count === 1 ? '' : 's'}; nothing was started`,
)

export const ConfigRead = defineError(
  {
    code: 'ERR_CONFIG_READ',
    kind: 'config',
    meaning: 'The configuration file could not be read or parsed.',
    fix: 'Check the path given by `--config` or `FERRY_CONFIG`, and the YAML/JSON syntax at the reported position.',
  },
  (file: string, detail: string) => `cannot read configuration ${file}: ${detail}`,
)

export const ConfigMissing = defineError(
  {
    code: 'ERR_CONFIG_MISSING',
    kind: 'config',
    meaning: 'A required configuration setting is absent.',
    fix: 'Add the setting at the reported path, or set the matching environment variable.',
  },
  (what: string) => `${what} is required`,
)

export const ConfigType = defineError(
  {
    code: 'ERR_CONFIG_TYPE',
    kind: 'config',
    meaning: 'A configuration setting has the wrong type or an invalid value.',
    fix: 'Use the type named in the message.',
  },
  (what: string, expected: string) => `${what} must be ${expected}`,
)

export const ConfigUnknownKey = defineError(
  {
    code: 'ERR_CONFIG_UNKNOWN_KEY',
    kind: 'config',
    meaning: 'The configuration has a key Ferry does not know (often a typo).',
    fix: 'Remove the key or correct its spelling; the message lists the known keys.',
  },
  (key: string, known: string) => `unknown key "${key}"; expected one of ${known}`,
)

export const ConfigUnknownConnector = defineError(
  {
    code: 'ERR_CONFIG_UNKNOWN_CONNECTOR',
    kind: 'config',
    meaning: 'A connection names a connector Ferry does not have.',
    fix: 'Use one of the connectors listed in the message.',
  },
  (name: string, known: string) => `unknown connector "${name}"; available: ${known}`,
)

export const ConfigUnknownConnection = defineError(
  {
    code: 'ERR_CONFIG_UNKNOWN_CONNECTION',
    kind: 'config',
    meaning: 'A scheme refers to a connection that is not configured.',
    fix: 'Add the connection under `connections`, or point the scheme at an existing one.',
  },
  (name: string, known: string) => `no connection "${name}" is configured; configured: ${known}`,
)

export const ConfigReconcileWithoutTarget = defineError(
  {
    code: 'ERR_CONFIG_RECONCILE_WITHOUT_TARGET',
    kind: 'config',
    meaning: 'A scheme has a `reconcile` schedule but no target, so there is nothing to reconcile against.',
    fix: 'Remove `reconcile` from this scheme entry (master-data schemes have no target), or point it at the scheme that writes documents.',
  },
  (schemeId: string) => `scheme ${schemeId} has a reconcile schedule but no target to reconcile against`,
)

export const ConfigEnvMissing = defineError(
  {
    code: 'ERR_CONFIG_ENV_MISSING',
    kind: 'config',
    meaning: 'A configuration value refers to an environment variable that is not set.',
    fix: 'Export the variable before starting Ferry, or write the value into the file (not for secrets).',
  },
  (name: string) => `environment variable ${name} is not set`,
)

export const ConfigSchemeFile = defineError(
  {
    code: 'ERR_CONFIG_SCHEME_FILE',
    kind: 'config',
    meaning: 'A scheme listed in the configuration could not be loaded or is invalid.',
    fix: 'Run `ferry validate <file>` on the scheme and fix what it reports.',
  },
  (file: string, detail: string) => `scheme ${file}: ${detail}`,
)

export const AlertConfigInvalid = defineError(
  {
    code: 'ERR_ALERT_CONFIG',
    kind: 'config',
    meaning: 'The `alerts` section of the configuration (rules, channels, quiet hours) has a value Ferry cannot use.',
    fix: 'Correct the setting at the path shown; docs/alerts.md lists every rule, default and channel setting.',
  },
  (what: string) => what,
)
