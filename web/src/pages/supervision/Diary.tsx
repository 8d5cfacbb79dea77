// /supervision — the officer's diary: a day or a week of appointment occurrences (time, person,
// case, kind, place, outcome), previous / next / today; a unit head may read the diary of an
// officer of their unit. Below it the calendar feed: a secret URL for Thunderbird or Outlook,
// shown once when created, which can be replaced or revoked. Links to the variations queue and
// the condition catalogue.
import { useState } from 'preact/hooks';
import { get, type Items, type UnitMember } from '../../api';
import { SelectField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useSession, useTimeZone } from '../../session';
import { formatDay, today } from '../cases/model';
import { OccurrenceBadges } from './Appointments';
import { LoadError, ZoneNote, nowLocal } from './common';
import { FeedPanel } from './Feed';
import { WEEKDAYS, addDays, apptKindLabel, localClock, localDay, weekStart, weekdayIndex, weekdayLabel, type Diary } from './model';
import './supervision.css';

type View = 'day' | 'week';

export function DiaryPage(_props: { id?: string }) {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const zone = useTimeZone();
  const [view, setView] = useState<View>('week');
  const [anchor, setAnchor] = useState(() => today(zone));
  const [officer, setOfficer] = useState('');
  const isHead = !!user?.roles.includes('unit_head') && !!user.unit;
  const members = useLoad((signal) => (isHead && user?.unit
    ? get<Items<UnitMember>>(`/api/v1/units/${encodeURIComponent(user.unit.id)}/members`, { signal }).then((r) => r.items)
    : Promise.resolve([] as UnitMember[])), [isHead, user?.unit?.id]);
  const from = view === 'week' ? weekStart(anchor) : anchor;
  const days = view === 'week' ? 7 : 1;
  const to = addDays(from, days - 1);
  // One day more than shown, so that an exclusive or an inclusive `to` both cover the range.
  const diary = useLoad((signal) => get<Diary>(`/api/v1/diary?from=${from}&to=${addDays(to, 1)}${
    officer ? `&officer=${encodeURIComponent(officer)}` : ''}`, { signal }), [from, to, officer]);
  const now = nowLocal(diary.data?.timezone || zone);
  const shown = Array.from({ length: days }, (_, i) => addDays(from, i));
  const items = (diary.data?.items ?? []).filter((o) => localDay(o.start_local) >= from && localDay(o.start_local) <= to);
  const step = (n: number) => setAnchor((a) => addDays(view === 'week' ? weekStart(a) : a, n * days));
  const range = view === 'week'
    ? t('diary.range.week', { from: formatDay(from, lang), to: formatDay(to, lang) })
    : t('diary.range.day', { day: weekdayLabel(t, WEEKDAYS[weekdayIndex(from)] ?? 'mo'), date: formatDay(from, lang) });
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{t('diary.title')}</h1>
      </div>
      <p class="sup-links">
        <Link href="/supervision/variations">{t('diary.link.variations')}</Link>
        <Link href="/supervision/catalogue">{t('diary.link.catalogue')}</Link>
        <Link href="/supervision/assessments">{t('diary.link.assessments')}</Link>
      </p>
      <section class="card sup-card" aria-labelledby="diary-range">
        <div class="sup-diary-bar">
          <div class="button-row" role="group" aria-label={t('diary.view')}>
            <button type="button" class={view === 'day' ? 'button button-small' : 'button button-secondary button-small'}
              aria-pressed={view === 'day'} id="diary-view-day" onClick={() => setView('day')}>{t('diary.view.day')}</button>
            <button type="button" class={view === 'week' ? 'button button-small' : 'button button-secondary button-small'}
              aria-pressed={view === 'week'} id="diary-view-week" onClick={() => setView('week')}>{t('diary.view.week')}</button>
          </div>
          <div class="button-row" role="group" aria-label={t('diary.move')}>
            <button type="button" class="button button-secondary button-small" id="diary-prev" onClick={() => step(-1)}>
              {view === 'week' ? t('diary.prev.week') : t('diary.prev.day')}
            </button>
            <button type="button" class="button button-secondary button-small" id="diary-today" onClick={() => setAnchor(today(zone))}>
              {t('diary.today')}
            </button>
            <button type="button" class="button button-secondary button-small" id="diary-next" onClick={() => step(1)}>
              {view === 'week' ? t('diary.next.week') : t('diary.next.day')}
            </button>
          </div>
        </div>
        {isHead ? (
          <div class="sup-officer">
            <SelectField id="diary-officer" label={t('diary.officer')} value={officer} onValue={setOfficer}
              options={[{ value: '', label: t('diary.officer.me') },
                ...(members.data ?? []).filter((m) => m.id !== user?.id && m.status !== 'disabled')
                  .map((m) => ({ value: m.id, label: m.display_name }))]} />
          </div>
        ) : null}
        <h2 id="diary-range" aria-live="polite">
          {range}
          {diary.data && officer ? <span class="heading-sub"> · {diary.data.officer_name}</span> : null}
        </h2>
        <ZoneNote zone={diary.data?.timezone || zone} />
        {diary.status === 'error' ? <LoadError onRetry={diary.reload} /> : null}
        {!diary.data && diary.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
        {diary.data ? (
          <div class={view === 'week' ? 'sup-week' : 'sup-day'} id="diary-days">
            {shown.map((d) => {
              const list = items.filter((o) => localDay(o.start_local) === d);
              const label = `${weekdayLabel(t, WEEKDAYS[weekdayIndex(d)] ?? 'mo')} ${formatDay(d, lang)}`;
              return (
                <div class={d === today(zone) ? 'sup-diary-day is-today' : 'sup-diary-day'} key={d} data-day={d}>
                  {view === 'week' ? <h3>{label}{d === today(zone) ? <span class="badge badge-info">{t('diary.today')}</span> : null}</h3> : null}
                  {list.length ? (
                    <ol class="plain-list">
                      {list.map((o) => (
                        <li key={`${o.appointment_id}|${o.original_local}`} class={o.cancelled ? 'sup-occ is-cancelled' : 'sup-occ'}>
                          <p class="sup-diary-occ-time">{localClock(o.start_local)}–{localClock(o.end_local)}</p>
                          <p class="sup-occ-when">{o.person_name}{' '}
                            <Link href={`/cases/${encodeURIComponent(o.case_id)}#appointments`}>{o.case_number}</Link></p>
                          <p class="sup-occ-what">{apptKindLabel(t, o.kind)}{o.location ? ` · ${o.location}` : ''} · {o.purpose}</p>
                          <OccurrenceBadges occ={o} past={o.start_local < now} />
                        </li>
                      ))}
                    </ol>
                  ) : <p class="muted">{t('diary.none')}</p>}
                </div>
              );
            })}
          </div>
        ) : null}
      </section>
      <FeedPanel />
    </>
  );
}
