// Message catalogues and the language choice.
// The UI speaks Kyrgyz (state language), Russian (official language) and English.
// en.json is the reference catalogue: its keys type every t() call, and the other
// two must carry the same keys (checked here by the compiler, and by tests/web/i18n.test.mjs
// for placeholders and empty values).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import enCore from './en.json';
import ruCore from './ru.json';
import kyCore from './ky.json';
// Each section's messages live in their own files, merged here.
import enPeople from './en.people.json';
import ruPeople from './ru.people.json';
import kyPeople from './ky.people.json';
import enCases from './en.cases.json';
import ruCases from './ru.cases.json';
import kyCases from './ky.cases.json';
import enConditions from './en.conditions.json';
import ruConditions from './ru.conditions.json';
import kyConditions from './ky.conditions.json';
import enSupervision from './en.supervision.json';
import ruSupervision from './ru.supervision.json';
import kySupervision from './ky.supervision.json';
import enCompliance from './en.compliance.json';
import ruCompliance from './ru.compliance.json';
import kyCompliance from './ky.compliance.json';
import enAlerts from './en.alerts.json';
import ruAlerts from './ru.alerts.json';
import kyAlerts from './ky.alerts.json';
import enBreaches from './en.breaches.json';
import ruBreaches from './ru.breaches.json';
import kyBreaches from './ky.breaches.json';
import enResponses from './en.responses.json';
import ruResponses from './ru.responses.json';
import kyResponses from './ky.responses.json';
import enRules from './en.rules.json';
import ruRules from './ru.rules.json';
import kyRules from './ky.rules.json';
import enAssessments from './en.assessments.json';
import ruAssessments from './ru.assessments.json';
import kyAssessments from './ky.assessments.json';
import enInstruments from './en.instruments.json';
import ruInstruments from './ru.instruments.json';
import kyInstruments from './ky.instruments.json';
import enProgrammes from './en.programmes.json';
import ruProgrammes from './ru.programmes.json';
import kyProgrammes from './ky.programmes.json';
import enRelease from './en.release.json';
import ruRelease from './ru.release.json';
import kyRelease from './ky.release.json';
import enSettings from './en.settings.json';
import ruSettings from './ru.settings.json';
import kySettings from './ky.settings.json';
import enMonitoring from './en.monitoring.json';
import ruMonitoring from './ru.monitoring.json';
import kyMonitoring from './ky.monitoring.json';

const en = { ...enCore, ...enPeople, ...enCases, ...enConditions, ...enSupervision,
  ...enCompliance, ...enAlerts, ...enBreaches, ...enResponses, ...enRules,
  ...enAssessments, ...enInstruments, ...enRelease, ...enProgrammes, ...enSettings, ...enMonitoring };
const ru: Record<keyof typeof en, string> = { ...ruCore, ...ruPeople, ...ruCases, ...ruConditions, ...ruSupervision,
  ...ruCompliance, ...ruAlerts, ...ruBreaches, ...ruResponses, ...ruRules,
  ...ruAssessments, ...ruInstruments, ...ruRelease, ...ruProgrammes, ...ruSettings, ...ruMonitoring };
const ky: Record<keyof typeof en, string> = { ...kyCore, ...kyPeople, ...kyCases, ...kyConditions, ...kySupervision,
  ...kyCompliance, ...kyAlerts, ...kyBreaches, ...kyResponses, ...kyRules,
  ...kyAssessments, ...kyInstruments, ...kyRelease, ...kyProgrammes, ...kySettings, ...kyMonitoring };

export type Lang = 'ky' | 'ru' | 'en';
export type MessageKey = keyof typeof en;
export type Params = Readonly<Record<string, string | number>>;

/** Order of the language switch: state language first. */
export const LANGS: readonly Lang[] = ['ky', 'ru', 'en'];

/** Each language's name in itself; never translated. */
export const LANG_NAMES: Readonly<Record<Lang, string>> = { ky: 'Кыргызча', ru: 'Русский', en: 'English' };

/** BCP 47 locales for dates and numbers. */
export const LOCALES: Readonly<Record<Lang, string>> = { ky: 'ky-KG', ru: 'ru-RU', en: 'en-GB' };

export const FALLBACK_LANG: Lang = 'ky';
const STORAGE_KEY = 'kadam.lang';

const catalogues: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { en, ru, ky };

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** The message for key in lang, with {name} placeholders filled from params. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = catalogues[lang][key] ?? catalogues.en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The language the user chose earlier in this browser, if any. */
export function storedLang(): Lang | null {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return isLang(value) ? value : null;
  } catch {
    return null; // storage disabled: behave as if nothing was chosen
  }
}

export function storeLang(lang: Lang): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* storage disabled or full: the choice lasts for this page only */
  }
}

/** The first of the browser's preferred languages that the UI speaks. */
export function browserLang(preferred: readonly string[] = navigator.languages ?? [navigator.language]): Lang | null {
  for (const tag of preferred) {
    const primary = tag.split('-')[0]?.toLowerCase();
    if (isLang(primary)) return primary;
  }
  return null;
}

/**
 * The language to start in: the stored choice, else the deployment's default
 * (from /api/v1/system), else the browser's language, else Kyrgyz.
 */
export function initialLang(serverDefault?: string): Lang {
  return storedLang() ?? (isLang(serverDefault) ? serverDefault : null) ?? browserLang() ?? FALLBACK_LANG;
}

export interface I18n {
  lang: Lang;
  t: (key: MessageKey, params?: Params) => string;
  setLang: (lang: Lang) => void;
}

export const I18nContext = createContext<I18n>({
  lang: FALLBACK_LANG,
  t: (key, params) => translate(FALLBACK_LANG, key, params),
  setLang: () => {},
});

export function useI18n(): I18n {
  return useContext(I18nContext);
}
