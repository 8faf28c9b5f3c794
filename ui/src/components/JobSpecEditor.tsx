/**
 * A job's spec as YAML, edited and saved with PUT (Content-Type application/yaml). The API's
 * field errors are listed above the editor and marked on their lines; YAML that does not
 * parse is caught here first, with its line.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useBlocker } from 'react-router';
import { stringify } from 'yaml';
import { ApiError } from '../api/client';
import type { JobView } from '../api/types';
import { saveJobYaml } from '../lib/job-actions';
import { placeFieldErrors, yamlSyntaxProblems, type YamlProblem } from '../lib/yaml-fields';
import { ConfirmDialog } from './ConfirmDialog';
import { YamlEditor, type YamlEditorHandle } from './YamlEditor';

/** The spec as stored: what the API returned minus its read-only parts. */
export function specYaml(job: JobView): string {
  const { state: _state, recent: _recent, ...spec } = job;
  return stringify(spec, { lineWidth: 0 });
}

interface JobSpecEditorProps {
  job: JobView;
  onSaved: (job: JobView) => void;
}

export function JobSpecEditor({ job, onSaved }: JobSpecEditorProps) {
  const stored = useMemo(() => specYaml(job), [job]);
  const [text, setText] = useState(stored);
  const [base, setBase] = useState(stored);
  const [version, setVersion] = useState(0);
  const [problems, setProblems] = useState<YamlProblem[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const editor = useRef<YamlEditorHandle>(null);
  const dirty = text !== base;
  const changedElsewhere = stored !== base;

  // Someone else changed the job: follow it when nothing is being edited here.
  useEffect(() => {
    if (stored === base) return;
    if (!dirty) {
      setBase(stored);
      setText(stored);
      setVersion((v) => v + 1);
    }
  }, [stored, base, dirty]);

  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname);

  const revert = () => {
    setBase(stored);
    setText(stored);
    setVersion((v) => v + 1);
    setProblems([]);
    setFailure(null);
  };

  const save = async () => {
    if (saving) return;
    setSaved(false);
    setFailure(null);
    const syntax = yamlSyntaxProblems(text);
    if (syntax.length > 0) {
      setProblems(syntax);
      return;
    }
    setSaving(true);
    try {
      const fresh = await saveJobYaml(job.name, text);
      const freshText = specYaml(fresh);
      setProblems([]);
      setBase(freshText);
      setText(freshText);
      setVersion((v) => v + 1);
      setSaved(true);
      onSaved(fresh);
    } catch (error) {
      if (error instanceof ApiError && error.details.length > 0) setProblems(placeFieldErrors(text, error.details));
      else {
        setProblems([]);
        setFailure(error instanceof ApiError ? error.message : String(error));
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="card" aria-labelledby="spec-heading">
      <div className="card-head">
        <h2 id="spec-heading">Spec</h2>
        <span className="hint">YAML, as stored. Secrets show as *** and stay as they are when saved so.</span>
      </div>
      {changedElsewhere && dirty && (
        <div className="banner banner-warn" role="status" style={{ margin: 12 }}>
          <div className="banner-body">
            <strong>The job was changed on the server while you were editing.</strong> Saving replaces that change with yours.
          </div>
          <button type="button" className="btn btn-small" onClick={revert}>
            Discard mine, load theirs
          </button>
        </div>
      )}
      {problems.length > 0 && (
        <div className="banner banner-error" role="alert" style={{ margin: 12 }} data-testid="spec-errors">
          <div className="banner-body">
            <p>
              <strong>Not saved: {problems.length === 1 ? 'one problem' : `${problems.length} problems`}.</strong>
            </p>
            <ul className="field-errors">
              {problems.map((p, i) => (
                <li key={`${p.field ?? ''}:${p.line ?? ''}:${i}`}>
                  {p.line !== null ? (
                    <button type="button" onClick={() => editor.current?.goToLine(p.line!)} title={`Go to line ${p.line}`}>
                      {p.field ?? `line ${p.line}`}
                    </button>
                  ) : (
                    <code>{p.field ?? 'YAML'}</code>
                  )}
                  {p.line !== null && p.field ? <span className="muted"> (line {p.line})</span> : null}: {p.message}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
      {failure && (
        <div className="banner banner-error" role="alert" style={{ margin: 12 }}>
          <div className="banner-body">
            <strong>Not saved.</strong> {failure}
          </div>
        </div>
      )}
      <YamlEditor
        ref={editor}
        value={text}
        version={version}
        problems={problems}
        label={`Spec of ${job.name}, YAML`}
        onChange={(t) => {
          setText(t);
          setSaved(false);
        }}
        onSave={() => void save()}
      />
      <div className="editor-foot">
        <button type="button" className="btn btn-primary" onClick={() => void save()} disabled={!dirty || saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="btn" onClick={revert} disabled={!dirty || saving}>
          Revert
        </button>
        <span className="grow" />
        <span className="small muted" role="status">
          {saved ? 'Saved.' : dirty ? 'Unsaved changes · Ctrl+S saves' : 'No changes'}
        </span>
      </div>
      <ConfirmDialog
        open={blocker.state === 'blocked'}
        title="Leave without saving?"
        confirmLabel="Leave"
        danger
        onConfirm={() => blocker.proceed?.()}
        onCancel={() => blocker.reset?.()}
      >
        <p>Your changes to the spec of {job.name} are not saved.</p>
      </ConfirmDialog>
    </section>
  );
}
