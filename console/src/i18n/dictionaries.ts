/** Every language the console speaks; the first is the default. No JSX, so unit tests import it under Node. */
import { en, type MessageKey } from './en.js'
import { zhCN } from './zh-CN.js'

export const LANGUAGES = ['zh-CN', 'en'] as const
export type Language = (typeof LANGUAGES)[number]
export type { MessageKey }

export const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { 'zh-CN': zhCN, en }

export const isLanguage = (s: unknown): s is Language =>
  typeof s === 'string' && (LANGUAGES as readonly string[]).includes(s)

/** `{name}` placeholders filled from vars; a missing var stays visible rather than vanishing. */
export function translate(lang: Language, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = DICTIONARIES[lang][key]
  return vars === undefined
    ? text
    : text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m))
}

/** Dates shown in a scheme's time zone (default Asia/Shanghai, as the engine reads times). */
export function formatTime(
  lang: Language,
  value: string | number | Date | null | undefined,
  timeZone = 'Asia/Shanghai',
): string {
  if (value === null || value === undefined) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return new Intl.DateTimeFormat(lang, {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(d)
}
