// /people/import: importing people and their cases from a CSV file (a prison's release list, a
// court's register). The file is first checked (a dry run: nothing is saved), which lists every
// error by line and column; "Import" is offered only once the same file has been checked
// without errors. If any row is bad nothing is imported at all.
import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api';
import { FormError } from '../../components/Form';
import { useAction } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { FileField, PeopleHeading, sendRaw, truthy, useCsrf } from './common';

const MAX_BYTES = 10 * 1024 * 1024;

/** The file's columns (see src/domain/import.h), * marking the required ones. */
const COLUMNS: readonly { name: string; required: boolean }[] = [
  { name: 'surname', required: true }, { name: 'given_name', required: true }, { name: 'patronymic', required: false },
  { name: 'surname_latin', required: false }, { name: 'given_name_latin', required: false },
  { name: 'patronymic_latin', required: false }, { name: 'sex', required: false }, { name: 'birth_date', required: true },
  { name: 'birth_place', required: false }, { name: 'citizenship', required: false }, { name: 'document_type', required: false },
  { name: 'document_number', required: false }, { name: 'document_country', required: false },
  { name: 'case_kind', required: true }, { name: 'unit', required: true }, { name: 'opened_on', required: false },
  { name: 'decision_authority', required: false }, { name: 'decision_number', required: false },
  { name: 'decision_date', required: false }, { name: 'measure', required: false }, { name: 'articles', required: false },
  { name: 'start_on', required: false }, { name: 'term', required: false }, { name: 'remand_days', required: false },
  { name: 'note', required: false },
];

interface ImportError { line: number; column: string; message: string }

interface ImportResult {
  dry_run: boolean;
  rows: number;
  is_valid: boolean | number;
  errors: ImportError[];
  errors_total: number;
  people_created: number;
  people_matched: number;
  cases_created: number;
}

/** Which file a result belongs to: a new choice of file needs a new check. */
const fileKey = (f: File) => `${f.name}|${f.size}|${f.lastModified}`;

export function ImportPage() {
  const { t, lang } = useI18n();
  const csrf = useCsrf();
  const [file, setFile] = useState<File | null>(null);
  const [checked, setChecked] = useState<{ key: string; result: ImportResult } | null>(null);
  const [imported, setImported] = useState<ImportResult | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const [running, setRunning] = useState<'check' | 'import' | null>(null);
  const results = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);

  const current = file && checked && checked.key === fileKey(file) ? checked.result : null;
  const clean = current !== null && truthy(current.is_valid) && current.errors_total === 0 && (current.errors ?? []).length === 0;
  // A real run refused with the errors (422) shows them as a check would.
  const refused = error instanceof ApiError && error.status === 422 && Array.isArray(error.problem?.body.errors)
    ? (error.problem?.body as unknown as ImportResult) : null;

  const send = (dryRun: boolean) => {
    if (!file) {
      setFileError(t('import.file.choose'));
      input.current?.focus();
      return;
    }
    if (file.size > MAX_BYTES) {
      setFileError(t('import.file.too_big'));
      input.current?.focus();
      return;
    }
    setFileError(null);
    setRunning(dryRun ? 'check' : 'import');
    void run(async () => {
      const r = await sendRaw<ImportResult>('POST', `/api/v1/imports?dry_run=${dryRun ? 'true' : 'false'}`, file, 'text/csv', csrf, lang);
      if (!r) throw new ApiError('empty answer', 200);
      if (dryRun) {
        setChecked({ key: fileKey(file), result: r });
      } else {
        setImported(r);
        setChecked(null);
        setFile(null);
        if (input.current) input.current.value = '';
      }
    }).then(() => {
      setRunning(null);
      window.setTimeout(() => results.current?.focus(), 0);
    });
  };

  const shown = refused ?? current;
  return (
    <>
      <PeopleHeading current="import" title={t('import.title')} lead={t('import.lead')} />

      <section class="card" aria-labelledby="import-file-heading">
        <h2 id="import-file-heading">{t('import.file.title')}</h2>
        <form class="form" noValidate onSubmit={(e) => { e.preventDefault(); send(true); }}>
          <FileField id="import-file" label={t('import.file')} accept=".csv,text/csv" hint={t('import.file.hint')} inputRef={input}
            error={fileError ?? undefined}
            onFile={(f) => { setFile(f); setFileError(null); setImported(null); setError(null); }} />
          <div class="button-row">
            <button type="submit" class="button" disabled={busy}>{running === 'check' ? t('import.checking') : t('import.check')}</button>
            <button type="button" class="button button-danger" disabled={busy || !clean} aria-describedby="import-run-hint"
              onClick={() => send(false)}>
              {running === 'import' ? t('import.importing') : t('import.run')}
            </button>
          </div>
          <p class="hint" id="import-run-hint">{clean ? t('import.run.ready') : t('import.run.hint')}</p>
        </form>
      </section>

      <div ref={results} tabIndex={-1} class="import-results" aria-live="polite">
        {error && !refused ? <FormError error={error} /> : null}
        {imported ? (
          <div class="alert alert-success" role="status">
            <p class="alert-title">{t('import.done')}</p>
            <dl class="facts facts-compact">
              <div class="fact"><dt>{t('import.rows')}</dt><dd>{imported.rows}</dd></div>
              <div class="fact"><dt>{t('import.people_created')}</dt><dd>{imported.people_created}</dd></div>
              <div class="fact"><dt>{t('import.people_matched')}</dt><dd>{imported.people_matched}</dd></div>
              <div class="fact"><dt>{t('import.cases_created')}</dt><dd>{imported.cases_created}</dd></div>
            </dl>
          </div>
        ) : null}
        {shown ? <CheckResult result={shown} refused={refused !== null} /> : null}
      </div>

      <section class="card" aria-labelledby="import-columns-heading">
        <h2 id="import-columns-heading">{t('import.columns.title')}</h2>
        <p>{t('import.columns.about')}</p>
        <div class="table-wrap" role="region" aria-labelledby="import-columns-heading" tabIndex={0}>
          <table class="table table-columns">
            <thead>
              <tr>
                <th scope="col">{t('import.column')}</th>
                <th scope="col">{t('import.column.required')}</th>
                <th scope="col">{t('import.column.content')}</th>
              </tr>
            </thead>
            <tbody>
              {COLUMNS.map((c) => (
                <tr key={c.name}>
                  <th scope="row"><code>{c.name}</code></th>
                  <td>{c.required ? <span class="badge badge-info">{t('import.column.yes')}</span> : <span class="muted">{t('import.column.no')}</span>}</td>
                  <td>{t(`import.col.${c.name}` as MessageKey)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="hint">{t('import.columns.rules')}</p>
      </section>
    </>
  );
}

function CheckResult({ result, refused }: { result: ImportResult; refused: boolean }) {
  const { t } = useI18n();
  const errors = result.errors ?? [];
  const total = Math.max(result.errors_total ?? 0, errors.length);
  if (total === 0 && !refused) {
    return (
      <div class="alert alert-success" role="status">
        <p class="alert-title">{t('import.check.ok', { n: result.rows })}</p>
        <p>{t('import.check.ok.next')}</p>
        <dl class="facts facts-compact">
          <div class="fact"><dt>{t('import.rows')}</dt><dd>{result.rows}</dd></div>
          <div class="fact"><dt>{t('import.people_created')}</dt><dd>{result.people_created ?? 0}</dd></div>
          <div class="fact"><dt>{t('import.people_matched')}</dt><dd>{result.people_matched ?? 0}</dd></div>
          <div class="fact"><dt>{t('import.cases_created')}</dt><dd>{result.cases_created ?? 0}</dd></div>
        </dl>
      </div>
    );
  }
  return (
    <section class="card import-errors" aria-labelledby="import-errors-heading">
      <div class="alert alert-error" role="alert">
        <p class="alert-title" id="import-errors-heading">
          {refused ? t('import.refused', { n: total }) : t('import.check.bad', { n: total, rows: result.rows ?? 0 })}
        </p>
        <p>{t('import.check.bad.next')}</p>
        {total > errors.length ? <p>{t('import.check.more', { shown: errors.length, n: total })}</p> : null}
      </div>
      <div class="table-wrap" role="region" aria-labelledby="import-errors-heading" tabIndex={0}>
        <table class="table table-import-errors">
          <thead>
            <tr>
              <th scope="col">{t('import.line')}</th>
              <th scope="col">{t('import.column')}</th>
              <th scope="col">{t('import.message')}</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e, i) => (
              <tr key={`${e.line}-${e.column}-${i}`}>
                <th scope="row" class="cell-nowrap">{e.line}</th>
                <td>{e.column ? <code>{e.column}</code> : <span class="muted">—</span>}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
