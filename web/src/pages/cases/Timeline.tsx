// A case's timeline: everything that happened in it, as one ordered list with an icon and a label
// per kind of event. Kinds the UI does not know yet are shown with the server's summary.
import type { JSX } from 'preact';
import { useI18n, type Lang } from '../../i18n';
import { caseKindLabel, keyDateLabel, noteSensitivityLabel, timelineKindLabel } from '../../labels';
import { useDates } from '../../session';
import { NatureBadge, noteLabel } from './Notes';
import { formatDay, type Note, type T, type TimelineEvent } from './model';

const ICONS: Record<string, JSX.Element> = {
  // a folder
  case: <path d="M2 5.5A1.5 1.5 0 0 1 3.5 4h4l1.5 2h7.5A1.5 1.5 0 0 1 18 7.5v7a1.5 1.5 0 0 1-1.5 1.5h-13A1.5 1.5 0 0 1 2 14.5z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />,
  // a document with lines
  decision: <path d="M5 2.5h7l3 3v12H5zM12 2.5v3h3M7.5 9h5M7.5 12h5M7.5 15h3" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />,
  // a calendar
  key_date: <path d="M3 5h14v12H3zM3 8.5h14M7 3v4M13 3v4M7 12h2" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />,
  // a pencil
  note: <path d="M4 16l1-4 8.5-8.5 3 3L8 15zM11.5 5.5l3 3" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />,
  // a person
  person: <path d="M10 9.5a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM4 17c.5-3.5 3-5 6-5s5.5 1.5 6 5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />,
  // a clipboard
  pretrial: <path d="M6 4H4.5v13.5h11V4H14M7 3h6v2.5H7zM7 10l2 2 4-4" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round" />,
  // a checklist (conditions and their explanation)
  condition: <path d="M4 5l1.5 1.5L8 4M4 10l1.5 1.5L8 9M4 15l1.5 1.5L8 14M10.5 5.5H16M10.5 10.5H16M10.5 15.5H16" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />,
  // two arrows (a variation)
  variation: <path d="M3 7h12l-3-3M17 13H5l3 3" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />,
  // a gauge (the supervision level)
  supervision: <path d="M3 14a7 7 0 0 1 14 0M10 14l3.5-4.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />,
  // a flag (the plan)
  plan: <path d="M5 18V3M5 3.5h10l-2 3.5 2 3.5H5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />,
  // a clock (appointments and contacts)
  appointment: <path d="M10 17a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM10 6v4l2.5 2" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />,
  // a bell (alerts)
  alert: <path d="M5 14V9a5 5 0 0 1 10 0v5l1.5 1.5h-13zM8.5 17.5h3" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round" />,
  // a ticked box (tasks)
  task: <path d="M3.5 3.5h13v13h-13zM6.5 10l2.5 2.5 4.5-5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round" />,
  // scales (breach allegations, heard before decided)
  breach: <path d="M10 3v14M6 17h8M4 6h12M4 6l-2 5a2 2 0 0 0 4 0zM16 6l-2 5a2 2 0 0 0 4 0z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round" />,
  // a step up (responses)
  response: <path d="M3 16h4v-4h4V8h4V4h2" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round" />,
  // a speech bubble (complaints)
  complaint: <path d="M3 4h14v9H9l-4 3.5V13H3z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />,
  // a clipboard with a bar chart (risk and needs assessments)
  assessment: <path d="M6 4H4.5v13.5h11V4H14M7 3h6v2.5H7zM7.5 15v-3M10 15V9.5M12.5 15v-4.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round" />,
  // a circular arrow (a reassessment is called for)
  reassessment: <path d="M16 10a6 6 0 1 1-2-4.5M16 3v3.5h-3.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />,
  // a dot
  other: <circle cx="10" cy="10" r="4" fill="none" stroke="currentColor" stroke-width="1.6" />,
};

/** The icon group of a kind's first part, where it is not the part itself. */
const GROUPS: Readonly<Record<string, string>> = {
  conditions: 'condition', contact: 'appointment', referral: 'plan', need: 'task', release_plan: 'plan',
  release: 'case', panel: 'person', family: 'person',
};

function Icon({ kind }: { kind: string }) {
  const first = kind.split('.')[0] ?? '';
  const group = GROUPS[first] ?? first;
  return (
    <svg class={`timeline-icon timeline-icon-${ICONS[group] ? group : 'other'}`} viewBox="0 0 20 20" width="20" height="20"
      aria-hidden="true" focusable="false">
      {ICONS[group] ?? ICONS.other}
    </svg>
  );
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** The label key of an event: one kind may read differently by its detail (a correction, a withdrawal). */
function labelKind(e: TimelineEvent): string {
  const d = e.detail ?? {};
  if (e.kind === 'panel.meeting' && d.changed === true) return 'panel.meeting_corrected';
  if (e.kind === 'family.child_protection' && d.child_protection === false) return 'family.child_protection_withdrawn';
  return e.kind;
}

/** A date in a detail (a civil date, or an instant), for people. */
function when(v: unknown, lang: Lang, short: (iso: string) => string): string {
  const s = str(v);
  if (!s) return '';
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? formatDay(s, lang) : short(s);
}

/** What the UI can say of an event's detail, in its language (null: nothing beyond the label). */
function detailText(t: T, lang: Lang, e: TimelineEvent, short: (iso: string) => string,
  names: Readonly<Record<string, string>>): string | null {
  const d = e.detail ?? {};
  switch (e.kind) {
    case 'key_date.changed': {
      const from = when(d.from, lang, short) || t('keydate.none');
      const to = when(d.to, lang, short) || t('keydate.none');
      return t('timeline.key_date.changed', { kind: keyDateLabel(t, str(d.kind)), from, to });
    }
    case 'key_date.computed': {
      const date = when(d.date ?? d.to, lang, short);
      return str(d.kind) ? `${keyDateLabel(t, str(d.kind))}: ${date || t('keydate.none')}` : null;
    }
    case 'case.opened':
      return str(d.kind) ? caseKindLabel(t, str(d.kind)) : null;
    case 'case.allocated':
    case 'case.transferred': {
      const unit = str(d.unit_name) || names[str(d.unit_id)] || '';
      const officer = str(d.officer_name) || names[str(d.officer_id)] || '';
      const to = e.kind === 'case.transferred' ? [unit, officer].filter(Boolean).join(', ') : officer || unit;
      // A transfer made by the handover on release (detail.handover) is said in the reader's language.
      const reason = d.handover === true ? t('timeline.kind.release.handover') : str(d.reason);
      if (!to && !reason) return null;
      return [to ? t('timeline.to', { to }) : '', reason ? t('timeline.reason', { reason }) : ''].filter(Boolean).join(' · ');
    }
    case 'case.closed': {
      const reason = str(d.reason);
      return reason ? t('timeline.reason', { reason }) : null;
    }
    default:
      return null;
  }
}

interface TimelineProps {
  items: readonly TimelineEvent[];
  /** The notes the caller may read, to label note events as fact or assessment. */
  notes: readonly Note[];
  /** Names of the units and officers the case has had, by id (events carry ids). */
  names: Readonly<Record<string, string>>;
}

export function TimelineList({ items, notes, names }: TimelineProps) {
  const { t, lang } = useI18n();
  const dates = useDates();
  if (!items.length) return <p>{t('timeline.none')}</p>;
  return (
    <ol class="timeline">
      {items.map((e) => {
        const kind = labelKind(e);
        const label = timelineKindLabel(t, kind);
        const known = label !== kind;
        const note = e.kind === 'note.added'
          ? notes.find((n) => n.id === e.record_id) ?? null
          : null;
        const d = e.detail ?? {};
        const nature = note?.nature ?? str(d.nature);
        const text = detailText(t, lang, e, (iso) => dates.short(iso), names);
        // RFC 3339 by the contract; epoch milliseconds are read too.
        const at = typeof e.at === 'number' ? new Date(e.at).toISOString() : e.at;
        return (
          <li key={e.id} class={`timeline-item timeline-${e.kind.replace(/[^\w-]/g, '-')}`}>
            <Icon kind={e.kind} />
            <div class="timeline-body">
              <p class="timeline-title">
                <span class="timeline-label">{known ? label : (e.summary || e.kind)}</span>
                {e.kind === 'note.added' && nature ? (
                  <>
                    {' '}<NatureBadge nature={nature}
                      text={noteLabel(t, { nature, source: note?.source ?? str(d.source), source_detail: note?.source_detail ?? null })} />
                    {note && note.sensitivity !== 'normal' ? <> <span class="badge badge-warn">{noteSensitivityLabel(t, note.sensitivity)}</span></> : null}
                  </>
                ) : null}
              </p>
              {text ? <p class="timeline-detail">{text}</p> : null}
              {note ? <p class="timeline-excerpt">{note.body.length > 200 ? `${note.body.slice(0, 200)}…` : note.body}</p> : null}
              {!known ? <p class="timeline-detail"><code>{e.kind}</code></p> : null}
              <p class="timeline-meta">
                <time dateTime={at}>{dates.short(at)}</time>
                {e.actor_name ? <> · {e.actor_name}</> : null}
              </p>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
