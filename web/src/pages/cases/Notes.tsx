// A case's notes. Facts and assessments are kept apart and labelled, each with its source and
// author (S14): "Fact — source: police" reads differently from "Assessment". Restricted notes of
// others that the caller may not read are not sent; the page says how many were withheld.
import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../../api';
import { FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { noteNatureLabel, noteSensitivityLabel, noteSourceLabel } from '../../labels';
import { fieldErrors } from '../../problems';
import { useDates } from '../../session';
import { localProblem } from './Decisions';
import { RadioGroup } from './Fields';
import { NOTE_NATURES, NOTE_SENSITIVITIES, NOTE_SOURCES, type Note, type Notes, type T } from './model';

/** The S14 label of a note: "Fact — source: police", "Assessment — source: officer's observation". */
export function noteLabel(t: T, note: Pick<Note, 'nature' | 'source' | 'source_detail'>): string {
  const source = note.source_detail ? `${noteSourceLabel(t, note.source)} (${note.source_detail})` : noteSourceLabel(t, note.source);
  return note.nature === 'assessment'
    ? t('cases.note.label.assessment', { source })
    : note.nature === 'fact' ? t('cases.note.label.fact', { source }) : `${note.nature} — ${source}`;
}

/** The badge of a note's nature: a fact and an assessment look different at a glance. */
export function NatureBadge({ nature, text }: { nature: string; text?: string }) {
  const { t } = useI18n();
  return (
    <span class={nature === 'assessment' ? 'badge badge-assessment' : 'badge badge-fact'}>
      {text ?? noteNatureLabel(t, nature)}
    </span>
  );
}

interface NotesPanelProps {
  caseId: string;
  notes: Notes | undefined;
  loading: boolean;
  loadError: unknown;
  canWrite: boolean;
  headers: Record<string, string>;
  onChanged: () => void;
  onRetry: () => void;
}

export function NotesPanel({ caseId, notes, loading, loadError, canWrite, headers, onChanged, onRetry }: NotesPanelProps) {
  const { t } = useI18n();
  const dates = useDates();
  const [writing, setWriting] = useState(false);
  const [added, setAdded] = useState(false);
  const items = notes?.items ?? [];
  return (
    <section class="card" aria-labelledby="notes-heading" id="notes">
      <div class="card-head">
        <h2 id="notes-heading" tabIndex={-1}>{t('cases.notes')}</h2>
        {canWrite && !writing ? (
          <button type="button" class="button" id="note-add" onClick={() => { setWriting(true); setAdded(false); }}>
            {t('cases.note.add')}
          </button>
        ) : null}
      </div>
      <p class="muted">{t('cases.notes.about')}</p>
      {added ? <Success><p>{t('cases.note.added')}</p></Success> : null}
      {writing ? (
        <NoteForm caseId={caseId} headers={headers}
          onCancel={() => { setWriting(false); window.setTimeout(() => document.getElementById('note-add')?.focus(), 0); }}
          onSaved={() => {
            setWriting(false);
            setAdded(true);
            onChanged();
            window.setTimeout(() => document.getElementById('notes-heading')?.focus(), 0);
          }} />
      ) : null}
      {loadError ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <button type="button" class="button" onClick={onRetry}>{t('status.retry')}</button>
        </div>
      ) : null}
      {loading && !notes ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {notes && notes.withheld > 0 ? (
        <p class="notice notes-withheld" role="note">{t('cases.notes.withheld', { n: notes.withheld })}</p>
      ) : null}
      {notes && items.length === 0 ? <p>{t('cases.notes.none')}</p> : null}
      {items.length ? (
        <ol class="note-list">
          {items.map((n) => (
            <li key={n.id} class={n.nature === 'assessment' ? 'note note-assessment' : 'note note-fact'} id={`note-${n.id}`}>
              <p class="note-label">
                <NatureBadge nature={n.nature} text={noteLabel(t, n)} />
                {(n as Note & { new_information?: boolean }).new_information ? (
                  <span class="badge badge-info note-new-information">{t('assess.note.new_information.badge')}</span>
                ) : null}
                {n.sensitivity !== 'normal' ? (
                  <span class={n.sensitivity === 'restricted' ? 'badge badge-bad' : 'badge badge-warn'}>
                    {noteSensitivityLabel(t, n.sensitivity)}
                  </span>
                ) : null}
              </p>
              <p class="note-meta">{t('cases.note.meta', { author: n.author_name, time: dates.short(n.written_at) })}</p>
              <p class="note-body">{n.body}</p>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}

interface NoteFormProps {
  caseId: string;
  headers: Record<string, string>;
  onCancel: () => void;
  onSaved: () => void;
}

function NoteForm({ caseId, headers, onCancel, onSaved }: NoteFormProps) {
  const { t } = useI18n();
  const [nature, setNature] = useState('');
  const [source, setSource] = useState('');
  const [detail, setDetail] = useState('');
  const [sensitivity, setSensitivity] = useState('normal');
  const [body, setBody] = useState('');
  const [newInformation, setNewInformation] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) document.getElementById('note-nature-fact')?.focus();
    first.current = false;
  }, []);
  const mistakes: { field: string; message: string }[] = [];
  if (!nature) mistakes.push({ field: 'nature', message: t('cases.note.nature.choose') });
  if (!source) mistakes.push({ field: 'source', message: t('cases.note.source.choose') });
  if (!body.trim()) mistakes.push({ field: 'body', message: t('cases.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { nature: 'note-nature', source: 'note-source', source_detail: 'note-source-detail', sensitivity: 'note-sensitivity', body: 'note-body' };
  const labels = {
    nature: t('cases.note.nature'), source: t('cases.note.source'), source_detail: t('cases.note.source_detail'),
    sensitivity: t('cases.note.sensitivity'), body: t('cases.note.body'),
  };
  return (
    <form class="form form-wide note-form" noValidate aria-labelledby="note-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) {
          setAttempt((a) => a + 1);
          return;
        }
        setAttempt(0);
        void run(async () => {
          await request('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/notes`, {
            body: { sensitivity, nature, source, source_detail: detail.trim() || null, body: body.trim(),
              ...(newInformation ? { new_information: true } : {}) }, headers,
          });
          onSaved();
        });
      }}>
      <h3 id="note-form-title">{t('cases.note.add')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <RadioGroup id={fields.nature} legend={labels.nature} value={nature} onValue={setNature} error={fe.nature}
        hint={t('cases.note.nature.hint')}
        options={NOTE_NATURES.map((n) => ({ value: n, label: noteNatureLabel(t, n), about: t(`cases.note.nature.${n}.about`) }))} />
      <div class="form-grid">
        <SelectField id={fields.source} label={labels.source} value={source} onValue={setSource} required error={fe.source}
          options={[{ value: '', label: t('cases.note.source.pick') }, ...NOTE_SOURCES.map((s) => ({ value: s, label: noteSourceLabel(t, s) }))]} />
        <TextField id={fields.source_detail} label={labels.source_detail} value={detail} onValue={setDetail} optional
          maxLength={300} error={fe.source_detail} hint={t('cases.note.source_detail.hint')} />
        <SelectField id={fields.sensitivity} label={labels.sensitivity} value={sensitivity} onValue={setSensitivity} required
          error={fe.sensitivity} hint={t('cases.note.sensitivity.hint')}
          options={NOTE_SENSITIVITIES.map((s) => ({ value: s, label: noteSensitivityLabel(t, s) }))} />
      </div>
      <TextAreaField id={fields.body} label={labels.body} value={body} onValue={setBody} rows={6} max={10000} error={fe.body} />
      <div class="checkbox note-new-information-field">
        <input type="checkbox" id="note-new-information" checked={newInformation}
          onChange={(e) => setNewInformation(e.currentTarget.checked)} aria-describedby="note-new-information-hint" />
        <label for="note-new-information">
          {t('assess.note.new_information')}
          <span class="checkbox-about" id="note-new-information-hint">{t('assess.note.new_information.hint')}</span>
        </label>
      </div>
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : t('cases.note.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
