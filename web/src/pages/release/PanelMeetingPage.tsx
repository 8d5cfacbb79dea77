// /panel-meetings/:id — one multi-agency panel meeting of a release plan: when and where, the
// agenda, who attended for which agency, the decisions and the actions agreed; correctable by
// those who may change the plan; minutes printable in Kyrgyz, Russian and English (each opens in a
// new tab as a whole page from the server).
import { useState } from 'preact/hooks';
import { Success } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { LANG_NAMES, useI18n } from '../../i18n';
import { useSession, useTimeZone } from '../../session';
import { formatDay, getVersioned, today } from '../cases/model';
import { ActionsTable, MeetingForm } from './Meetings';
import { MINUTES_LANGS, loadOrg, truthy, type Meeting } from './model';
import './release.css';

export function PanelMeetingPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const zone = useTimeZone();
  const load = useLoad((signal) => getVersioned<Meeting>(`/api/v1/panel-meetings/${encodeURIComponent(id)}`, { signal }), [id]);
  const org = useLoad(() => loadOrg(), []);
  const [editing, setEditing] = useState(false);
  const [done, setDone] = useState('');
  const m = load.data?.data;
  return (
    <>
      <p class="breadcrumbs">
        <Link href="/release-planning">{t('rel.list.title')}</Link>
        {m ? <>{' / '}<Link href={`/release-plans/${encodeURIComponent(m.case_id)}`}>{t('rel.plan.title.case', { number: m.case_number })}</Link></> : null}
      </p>
      <div class="page-head">
        <h1 tabIndex={-1} id="meeting-heading">{m ? t('rel.meeting.title.on', { date: formatDay(m.held_on, lang) }) : t('rel.meeting.title')}</h1>
      </div>
      {done ? <Success><p id="meeting-done">{done}</p></Success> : null}
      <LoadState load={load}>
        {({ data: meeting, version }) => (
          <>
            <section class="card" aria-labelledby="meeting-minutes-heading" id="meeting-minutes">
              <h2 id="meeting-minutes-heading">{t('rel.meeting.minutes')}</h2>
              <p class="rel-minutes-links">
                {MINUTES_LANGS.map((l) => (
                  <a key={l} id={`meeting-minutes-${l}`} class="button button-secondary button-small" target="_blank" rel="noopener" hrefLang={l}
                    href={`/api/v1/panel-meetings/${encodeURIComponent(meeting.id)}/minutes?lang=${l}`}>
                    {t('rel.meeting.print', { language: LANG_NAMES[l] })}<span class="visually-hidden"> {t('rel.new_tab')}</span>
                  </a>
                ))}
              </p>
            </section>
            {editing ? (
              <section class="card">
                <MeetingForm planId={meeting.plan_id} org={org.data} meeting={{ data: meeting, version }} headers={{}}
                  onCancel={() => setEditing(false)}
                  onSaved={() => { setEditing(false); setDone(t('rel.meeting.saved')); load.reload(); }} />
              </section>
            ) : (
              <section class="card" aria-labelledby="meeting-record-heading" id="meeting-record">
                <div class="card-head">
                  <h2 id="meeting-record-heading" tabIndex={-1}>{t('rel.meeting.record.title')}</h2>
                  {can('release.write') ? (
                    <button type="button" class="button button-secondary" id="meeting-edit" onClick={() => { setEditing(true); setDone(''); }}>
                      {t('rel.meeting.edit')}</button>
                  ) : null}
                </div>
                <dl class="facts facts-compact">
                  <div class="fact"><dt>{t('rel.meeting.held_on')}</dt><dd>{formatDay(meeting.held_on, lang)}</dd></div>
                  <div class="fact"><dt>{t('rel.meeting.place')}</dt><dd>{meeting.place || '—'}</dd></div>
                  <div class="fact"><dt>{t('rel.plan.case.label')}</dt><dd>
                    <Link href={`/cases/${encodeURIComponent(meeting.case_id)}`}>{meeting.case_number}</Link></dd></div>
                </dl>
                <h3>{t('rel.meeting.agenda')}</h3>
                <p class="rel-pre" id="meeting-agenda">{meeting.agenda}</p>
                <h3>{t('rel.meeting.attendees')}</h3>
                <div class="table-wrap rel-stack-wrap">
                  <table class="table rel-stack" id="meeting-attendees-table">
                    <caption class="visually-hidden">{t('rel.meeting.attendees')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('rel.meeting.name')}</th>
                        <th scope="col">{t('rel.agency')}</th>
                        <th scope="col">{t('rel.meeting.role')}</th>
                        <th scope="col">{t('rel.meeting.present')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {meeting.attendees.map((a, i) => (
                        <tr key={i} data-agency={a.agency_id}>
                          <th scope="row">{a.name}</th>
                          <td data-label={t('rel.agency')}>{a.agency_name ?? ''}</td>
                          <td data-label={t('rel.meeting.role')}>{a.role_title || '—'}</td>
                          <td data-label={t('rel.meeting.present')}>{truthy(a.present) ? t('rel.yes') : t('rel.meeting.absent')}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <h3>{t('rel.meeting.decisions')}</h3>
                <p class="rel-pre" id="meeting-decisions">{meeting.decisions}</p>
                <h3>{t('rel.meeting.actions')}</h3>
                {meeting.actions.length ? <ActionsTable actions={meeting.actions} id="meeting-actions-table" todayDay={today(zone)} />
                  : <p class="muted">{t('rel.actions.none')}</p>}
                <p><Link href={`/release-plans/${encodeURIComponent(meeting.case_id)}#rel-actions`}>{t('rel.meeting.actions.change')}</Link></p>
              </section>
            )}
          </>
        )}
      </LoadState>
    </>
  );
}
