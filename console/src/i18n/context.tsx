import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { formatTime, isLanguage, LANGUAGES, translate, type Language, type MessageKey } from './dictionaries.js'

const STORAGE_KEY = 'ferry.lang'

interface I18n {
  readonly lang: Language
  readonly setLang: (lang: Language) => void
  readonly t: (key: MessageKey, vars?: Record<string, string | number>) => string
  readonly time: (value: string | number | Date | null | undefined, timeZone?: string | null) => string
}

const Ctx = createContext<I18n | undefined>(undefined)

function initial(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (isLanguage(saved)) return saved
  } catch {
    /* storage can be disabled; the default applies */
  }
  return LANGUAGES[0]
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(initial)
  useEffect(() => {
    document.documentElement.lang = lang
  }, [lang])
  const setLang = useCallback((l: Language) => {
    setLangState(l)
    try {
      localStorage.setItem(STORAGE_KEY, l)
    } catch {
      /* not remembered, still switched */
    }
  }, [])
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, vars) => translate(lang, key, vars),
      time: (v, tz) => formatTime(lang, v, tz ?? undefined),
    }),
    [lang, setLang],
  )
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useI18n(): I18n {
  const v = useContext(Ctx)
  if (v === undefined) throw new Error('useI18n outside I18nProvider')
  return v
}
