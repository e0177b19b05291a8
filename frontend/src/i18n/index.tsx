import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import type { Catalogue, MessageKey } from "./en";

export type Lang = "en" | "es";
export const LANGS: readonly Lang[] = ["en", "es"];
const STORAGE_KEY = "fastship.lang";

/** Catalogues are loaded on demand, so a page ships only the language it shows. */
const loaded: Partial<Record<Lang, Catalogue>> = {};

export async function loadCatalogue(lang: Lang): Promise<Catalogue> {
  const cached = loaded[lang];
  if (cached) return cached;
  const catalogue =
    lang === "es" ? (await import("./es")).es : ((await import("./en")).en as Catalogue);
  loaded[lang] = catalogue;
  return catalogue;
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>) {
  const template = loaded[lang]?.[key] ?? loaded.en?.[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in vars ? String(vars[name]) : match,
  );
}

export function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === "en" || stored === "es") return stored;
  } catch {
    // storage unavailable: fall through
  }
  if (typeof navigator !== "undefined" && navigator.language?.toLowerCase().startsWith("es")) {
    return "es";
  }
  return "en";
}

type I18nValue = { lang: Lang; setLang: (lang: Lang) => void; t: Translate };
const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => initial ?? initialLang());
  const setLang = useCallback((next: Lang) => {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // ignore
    }
    loadCatalogue(next).then(
      () => {
        setLangState(next);
        document.documentElement.lang = next;
      },
      () => undefined,
    );
  }, []);
  const value = useMemo<I18nValue>(
    () => ({ lang, setLang, t: (key, vars) => translate(lang, key, vars) }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}

export function useT(): Translate {
  return useI18n().t;
}

export function formatDateTime(lang: Lang, iso: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
}

export function formatDate(lang: Lang, iso: string): string {
  return new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long" }).format(
    new Date(iso),
  );
}

export type { MessageKey };
