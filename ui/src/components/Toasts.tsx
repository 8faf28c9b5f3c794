/**
 * Short messages about what an action did ("Started a run of hello"), announced politely to
 * screen readers; errors stay until dismissed, the rest fade after a few seconds.
 */
import { useSyncExternalStore, type ReactNode } from 'react';

interface Toast {
  id: number;
  kind: 'ok' | 'error';
  content: ReactNode;
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export function dismissToast(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

export function showToast(kind: Toast['kind'], content: ReactNode): void {
  const id = nextId++;
  toasts = [...toasts.slice(-3), { id, kind, content }];
  emit();
  if (kind === 'ok') setTimeout(() => dismissToast(id), 6000);
}

export function Toasts() {
  const list = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => toasts,
  );
  return (
    <div className="toasts" aria-live="polite" aria-relevant="additions">
      {list.map((t) => (
        <div key={t.id} className={`toast${t.kind === 'error' ? ' toast-error' : ''}`} role={t.kind === 'error' ? 'alert' : undefined}>
          <div className="toast-row">
            <div>{t.content}</div>
            <button type="button" className="btn btn-quiet btn-small" onClick={() => dismissToast(t.id)} aria-label="Dismiss">
              ✕
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
