/**
 * A YAML editor (CodeMirror 6) whose problems are marked on their lines: a red line, a gutter
 * marker and the message on hover. Colours come from the page's CSS variables, so it follows
 * the light and dark themes.
 */
import { yaml } from '@codemirror/lang-yaml';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, keymap, type DecorationSet } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import type { YamlProblem } from '../lib/yaml-fields';

export interface YamlEditorHandle {
  /** Moves the cursor to a line and focuses the editor. */
  goToLine(line: number): void;
}

interface YamlEditorProps {
  /** The text; a new `version` replaces what is in the editor with it. */
  value: string;
  version: number;
  problems: YamlProblem[];
  label: string;
  onChange: (text: string) => void;
  /** Ctrl/Cmd-S. */
  onSave?: () => void;
  readOnly?: boolean;
  ref?: Ref<YamlEditorHandle>;
}

const highlight = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: 'var(--syn-key)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--syn-string)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--syn-atom)' },
  { tag: tags.comment, color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: [tags.punctuation, tags.separator, tags.bracket, tags.meta], color: 'var(--text-3)' },
  { tag: [tags.keyword, tags.typeName, tags.labelName], color: 'var(--syn-atom)' },
]);

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--surface)', color: 'var(--text)' },
  '.cm-content': { caretColor: 'var(--text)', padding: '8px 0' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--accent-soft) !important' },
  '.cm-gutters': { backgroundColor: 'var(--surface-2)', color: 'var(--text-3)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--accent) 6%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--surface-3)', color: 'var(--text)' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border)' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--fail)' },
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy var(--fail)', textUnderlineOffset: '3px' },
  '.cm-panels': { backgroundColor: 'var(--surface-2)', color: 'var(--text)' },
  '.cm-searchMatch': { backgroundColor: 'color-mix(in srgb, var(--wait) 30%, transparent)' },
  '.cm-foldPlaceholder': { backgroundColor: 'var(--surface-3)', color: 'var(--text-2)', border: 'none' },
});

/** The lines with a problem, shaded (the lint extension underlines; this makes a whole line visible). */
const setErrorLines = StateEffect.define<number[]>();
const errorLines = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(set, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setErrorLines)) continue;
      const marks = [...new Set(effect.value)]
        .filter((line) => line >= 1 && line <= tr.state.doc.lines)
        .sort((a, b) => a - b)
        .map((line) => Decoration.line({ class: 'cm-error-line' }).range(tr.state.doc.line(line).from));
      return Decoration.set(marks);
    }
    return tr.docChanged ? set.map(tr.changes) : set;
  },
  provide: (field) => EditorView.decorations.from(field),
});

function diagnosticsFor(state: EditorState, problems: YamlProblem[]): Diagnostic[] {
  return problems
    .filter((p): p is YamlProblem & { line: number } => p.line !== null && p.line >= 1 && p.line <= state.doc.lines)
    .map((p) => {
      const line = state.doc.line(p.line);
      const start = line.from + (line.text.length - line.text.trimStart().length);
      return { from: start, to: Math.max(start, line.to), severity: 'error', message: p.field ? `${p.field}: ${p.message}` : p.message, source: 'moroccron' };
    });
}

export function YamlEditor({ value, version, problems, label, onChange, onSave, readOnly = false, ref }: YamlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacks = useRef({ onChange, onSave });
  callbacks.current = { onChange, onSave };

  useEffect(() => {
    const extensions: Extension[] = [
      basicSetup,
      yaml(),
      syntaxHighlighting(highlight),
      theme,
      lintGutter(),
      errorLines,
      EditorState.tabSize.of(2),
      EditorView.lineWrapping,
      // tabindex: contenteditable is focusable anyway, but axe counts only what says so.
      EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
      EditorState.readOnly.of(readOnly),
      keymap.of([
        {
          key: 'Mod-s',
          preventDefault: true,
          run: () => {
            callbacks.current.onSave?.();
            return true;
          },
        },
      ]),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
      }),
    ];
    const editor = new EditorView({ state: EditorState.create({ doc: value, extensions }), parent: host.current! });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once; `version` below replaces its text.
  }, [label, readOnly]);

  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.state.doc.toString() === value) return;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [version]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    editor.dispatch(setDiagnostics(editor.state, diagnosticsFor(editor.state, problems)));
    editor.dispatch({ effects: setErrorLines.of(problems.flatMap((p) => (p.line === null ? [] : [p.line]))) });
  }, [problems]);

  useImperativeHandle(ref, () => ({
    goToLine(line: number) {
      const editor = view.current;
      if (!editor) return;
      const target = editor.state.doc.line(Math.min(Math.max(1, line), editor.state.doc.lines));
      editor.dispatch({ selection: { anchor: target.from }, effects: EditorView.scrollIntoView(target.from, { y: 'center' }) });
      editor.focus();
    },
  }));

  return <div ref={host} className="editor-wrap" />;
}
