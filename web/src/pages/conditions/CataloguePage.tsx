// /supervision/catalogue — the condition catalogue: the current version by category, each
// condition's title and text in Kyrgyz, Russian and English side by side, its typed parameters and
// flags; the versions loaded with their code mappings; and, for reference.manage, loading a new
// version from a JSON file (a refused file says which member is wrong).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, request } from '../../api';
import { Success } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { LANG_NAMES, LANGS, useI18n } from '../../i18n';
import { useDates, useSession } from '../../session';
import { loadReference, titleOf } from '../cases/model';
import { forgetCatalogue } from './ConditionForm';
import { CATEGORIES, codeLabel, inLang, type Catalogue, type CatalogueVersion } from './types';
import './conditions.css';

export function CataloguePage() {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const [version, setVersion] = useState('');
  const cat = useLoad((signal) => get<Catalogue>(`/api/v1/condition-catalogue${version ? `?version=${encodeURIComponent(version)}` : ''}`, { signal }), [version]);
  const versions = useLoad((signal) => get<{ items: CatalogueVersion[] }>('/api/v1/condition-catalogue/versions', { signal }), []);
  const reference = useLoad(() => loadReference(), []);
  const [loaded, setLoaded] = useState<{ version: number; label: string; recoded: number } | null>(null);
  return (
    <>
      <p class="breadcrumbs"><Link href="/supervision">{t('section.supervision')}</Link></p>
      <div class="page-head">
        <h1 tabIndex={-1}>{t('catalogue.title')}</h1>
      </div>
      <p class="lead">{t('catalogue.about')}</p>
      <p><Link href="/supervision/variations">{t('variations.title')}</Link></p>
      {loaded ? (
        <Success><p class="alert-title" id="catalogue-loaded">{t('catalogue.upload.done', { version: loaded.version, label: loaded.label, n: loaded.recoded })}</p></Success>
      ) : null}
      {can('reference.manage') ? (
        <UploadForm onLoaded={(r) => { setLoaded(r); forgetCatalogue(); setVersion(''); cat.reload(); versions.reload(); }} />
      ) : null}
      <LoadState load={cat}>
        {(c) => (
          <section class="card" aria-labelledby="catalogue-current-heading">
            <div class="card-head">
              <h2 id="catalogue-current-heading">
                {t('catalogue.version', { version: c.version, label: c.label })}
                {c.is_current ? <> <span class="badge badge-ok">{t('catalogue.current')}</span></> : null}
              </h2>
            </div>
            <p class="muted">{t('catalogue.loaded_at', { time: dates.short(c.loaded_at) })}</p>
            {[...CATEGORIES, 'other'].map((category) => {
              const items = c.conditions.filter((x) => (category === 'other' ? !(CATEGORIES as readonly string[]).includes(x.category) : x.category === category));
              if (!items.length) return null;
              return (
                <section key={category} aria-labelledby={`catalogue-cat-${category}`} class="catalogue-category">
                  <h3 id={`catalogue-cat-${category}`}>{codeLabel(t, 'conditions.category', category)}</h3>
                  {items.map((x) => (
                    <article key={x.code} class="catalogue-item" aria-labelledby={`catalogue-${x.code}`}>
                      <h4 id={`catalogue-${x.code}`}>
                        {inLang(x.title, lang)} <code class="article-code">{x.code}</code>
                      </h4>
                      <p class="badges">
                        <span class="badge badge-off">{x.standard ? t('conditions.standard') : t('conditions.additional')}</span>
                        {x.em ? <span class="badge badge-warn">{t('conditions.em')}</span> : null}
                        <span class="badge badge-info">
                          {t('catalogue.duty', { duty: titleOf(reference.data?.duties.find((d) => d.code === x.duty), lang, x.duty) })}
                        </span>
                      </p>
                      <div class="catalogue-langs">
                        {LANGS.map((l) => (
                          <div key={l} class="catalogue-lang" lang={l}>
                            <p class="catalogue-lang-name">{LANG_NAMES[l]}</p>
                            <p class="catalogue-lang-title">{x.title[l] ?? ''}</p>
                            <p class="condition-text">{x.text[l] ?? ''}</p>
                          </div>
                        ))}
                      </div>
                      {x.params.length ? (
                        <div class="table-wrap">
                          <table class="table catalogue-params">
                            <caption class="visually-hidden">{t('catalogue.params', { code: x.code })}</caption>
                            <thead>
                              <tr>
                                <th scope="col">{t('catalogue.param.name')}</th>
                                <th scope="col">{t('catalogue.param.label')}</th>
                                <th scope="col">{t('catalogue.param.type')}</th>
                                <th scope="col">{t('catalogue.param.required')}</th>
                              </tr>
                            </thead>
                            <tbody>
                              {x.params.map((p) => (
                                <tr key={p.name}>
                                  <th scope="row"><code>{`{${p.name}}`}</code></th>
                                  <td>{inLang(p.label, lang)}</td>
                                  <td>
                                    {codeLabel(t, 'conditions.param_type', p.type)}
                                    {p.min !== undefined || p.max !== undefined ? ` (${p.min ?? '…'}–${p.max ?? '…'})` : ''}
                                  </td>
                                  <td>{p.required ? t('catalogue.yes') : t('catalogue.no')}</td>
                                </tr>
                              ))}
                            </tbody>
                          </table>
                        </div>
                      ) : <p class="muted">{t('catalogue.params.none')}</p>}
                    </article>
                  ))}
                </section>
              );
            })}
          </section>
        )}
      </LoadState>
      <section class="card" aria-labelledby="catalogue-versions-heading">
        <h2 id="catalogue-versions-heading">{t('catalogue.versions')}</h2>
        <LoadState load={versions}>
          {(data) => (
            <div class="table-wrap">
              <table class="table catalogue-versions">
                <thead>
                  <tr>
                    <th scope="col">{t('catalogue.col.version')}</th>
                    <th scope="col">{t('catalogue.col.loaded')}</th>
                    <th scope="col">{t('catalogue.col.mapping')}</th>
                    <th scope="col"><span class="visually-hidden">{t('catalogue.col.actions')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((v) => {
                    const map = Object.entries(v.mapping ?? {});
                    return (
                      <tr key={v.version} class={String(v.version) === version ? 'is-selected' : undefined}>
                        <th scope="row">
                          {v.version} — {v.label} {v.is_current ? <span class="badge badge-ok">{t('catalogue.current')}</span> : null}
                          <span class="cell-sub cell-id" title="SHA-256">{v.sha256?.slice(0, 16)}</span>
                        </th>
                        <td>{dates.short(v.loaded_at)}<span class="cell-sub">{v.loaded_by_name ?? ''}</span></td>
                        <td>{map.length ? <ul class="plain-list">{map.map(([a, b]) => <li key={a}><code>{a}</code> → <code>{b}</code></li>)}</ul>
                          : <span class="muted">—</span>}</td>
                        <td>
                          <button type="button" class="link-button" onClick={() => setVersion(v.is_current ? '' : String(v.version))}>
                            {t('catalogue.show')}<span class="visually-hidden"> {v.version}</span>
                          </button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </LoadState>
      </section>
    </>
  );
}

function UploadForm({ onLoaded }: { onLoaded: (r: { version: number; label: string; recoded: number }) => void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const { busy, error, setError, run } = useAction();
  const errs = error instanceof ApiError && error.problem ? error.problem.errors : [];
  return (
    <section class="card" aria-labelledby="catalogue-upload-heading">
      <h2 id="catalogue-upload-heading">{t('catalogue.upload')}</h2>
      <p class="hint">{t('catalogue.upload.about')}</p>
      <form class="form form-wide" noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!file) {
            setError(new ApiError('no file', 0));
            return;
          }
          void run(async () => {
            let body: unknown;
            try {
              body = JSON.parse(await file.text());
            } catch {
              throw new ApiError('not JSON', 0);
            }
            const r = await request<{ version: number; label: string; recoded: number }>('POST', '/api/v1/condition-catalogue', { body });
            setFile(null);
            setInputKey((k) => k + 1);
            onLoaded(r.data);
          });
        }}>
        {error ? (
          <div class="alert alert-error form-error" role="alert" tabIndex={-1} id="catalogue-upload-error">
            <p class="alert-title">
              {error instanceof ApiError && error.status === 0 ? (file ? t('catalogue.upload.not_json') : t('catalogue.upload.choose'))
                : t('catalogue.upload.refused')}
            </p>
            {errs.length ? <ul>{errs.map((x) => <li key={x.field}><code>{x.field}</code>: {x.message}</li>)}</ul>
              : error instanceof ApiError && error.status !== 0 ? <p>{error.problem?.detail || error.message}</p> : null}
          </div>
        ) : null}
        {error ? <FocusOn id="catalogue-upload-error" when={error} /> : null}
        <div class="field">
          <label for="catalogue-file">{t('catalogue.upload.file')}</label>
          <input key={inputKey} id="catalogue-file" type="file" accept="application/json,.json" class="input input-file"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </div>
        <div class="button-row">
          <button type="submit" class="button" disabled={busy}>{busy ? t('conditions.saving') : t('catalogue.upload.submit')}</button>
        </div>
      </form>
    </section>
  );
}

/** Moves focus to an element when `when` changes. */
function FocusOn({ id, when }: { id: string; when: unknown }) {
  useFocus(id, when);
  return null;
}


function useFocus(id: string, when: unknown) {
  useEffect(() => { document.getElementById(id)?.focus(); }, [when]);
}
