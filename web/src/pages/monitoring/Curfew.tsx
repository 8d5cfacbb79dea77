// The weekly curfew timetable: windows of days with a start and an end time at the home address (a window
// whose end is before its start runs past midnight). An editor (a fieldset per window) and the timetable in words.
import { useI18n } from '../../i18n';
import { DAYS, codeLabel, type CurfewWindow } from './model';

export function curfewLine(t: ReturnType<typeof useI18n>['t'], w: CurfewWindow): string {
  const days = DAYS.every((d) => w.days.includes(d)) ? t('em.curfew.every_day')
    : DAYS.filter((d) => w.days.includes(d)).map((d) => codeLabel(t, 'em.day', d)).join(', ');
  const text = t('em.curfew.line', { days, start: w.start, end: w.end });
  return w.end <= w.start ? `${text} ${t('em.curfew.overnight')}` : text;
}

export function CurfewList({ windows }: { windows: readonly CurfewWindow[] }) {
  const { t } = useI18n();
  if (!windows.length) return <p class="muted" id="em-curfew-none">{t('em.curfew.none')}</p>;
  return <ul id="em-curfew-list">{windows.map((w, i) => <li key={i}>{curfewLine(t, w)}</li>)}</ul>;
}

export function CurfewEditor({ id, windows, onChange, error }: {
  id: string; windows: CurfewWindow[]; onChange: (w: CurfewWindow[]) => void; error?: string | undefined;
}) {
  const { t } = useI18n();
  const set = (i: number, w: CurfewWindow) => onChange(windows.map((x, n) => (n === i ? w : x)));
  return (
    <fieldset class={error ? 'field has-error' : 'field'} id={id}>
      <legend>{t('em.curfew.title')}</legend>
      <p class="hint">{t('em.curfew.hint')}</p>
      {windows.map((w, i) => (
        <fieldset class="em-window" key={i}>
          <legend>{t('em.curfew.window', { n: i + 1 })}</legend>
          <div class="em-days">
            {DAYS.map((d) => (
              <div class="checkbox" key={d}>
                <input type="checkbox" id={`${id}-${i}-${d}`} checked={w.days.includes(d)}
                  onChange={(e) => set(i, { ...w, days: e.currentTarget.checked ? [...w.days, d] : w.days.filter((x) => x !== d) })} />
                <label for={`${id}-${i}-${d}`}>{codeLabel(t, 'em.day', d)}</label>
              </div>
            ))}
          </div>
          <div class="em-window-times">
            <div class="field">
              <label for={`${id}-${i}-start`}>{t('em.curfew.start')}</label>
              <input id={`${id}-${i}-start`} class="input" type="time" value={w.start} onInput={(e) => set(i, { ...w, start: e.currentTarget.value })} />
            </div>
            <div class="field">
              <label for={`${id}-${i}-end`}>{t('em.curfew.end')}</label>
              <input id={`${id}-${i}-end`} class="input" type="time" value={w.end} onInput={(e) => set(i, { ...w, end: e.currentTarget.value })} />
            </div>
            <button type="button" class="button button-small button-secondary" onClick={() => onChange(windows.filter((_, n) => n !== i))}>
              {t('em.curfew.remove')}
            </button>
          </div>
        </fieldset>
      ))}
      <button type="button" class="button button-small button-secondary" id={`${id}-add`}
        onClick={() => onChange([...windows, { days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], start: '22:00', end: '06:00' }])}>
        {t('em.curfew.add')}
      </button>
      {error ? <p class="field-error" id={`${id}-error`}>{error}</p> : null}
    </fieldset>
  );
}
