// Small hooks shared by the pages: loading data, and running a form's action.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type Load<T> =
  | { status: 'loading'; data?: T }
  | { status: 'ok'; data: T }
  | { status: 'error'; error: unknown; data?: T };

/**
 * Runs load() now and whenever deps change or reload() is called; a newer run wins over an
 * older one still in flight. While reloading, the previous data stays visible.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Load<T> & { reload: () => void } {
  const [state, setState] = useState<Load<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((prev) => (prev.data === undefined ? { status: 'loading' } : { status: 'loading', data: prev.data }));
    load(controller.signal).then(
      (data) => { if (!controller.signal.aborted) setState({ status: 'ok', data }); },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((prev) => (prev.data === undefined ? { status: 'error', error } : { status: 'error', error, data: prev.data }));
      },
    );
    return () => controller.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/**
 * A form action: busy while it runs (a second submit is ignored), the error it ended
 * with (cleared when it runs again).
 */
export function useAction(): {
  busy: boolean;
  error: unknown;
  setError: (error: unknown) => void;
  run: (action: () => Promise<void>) => Promise<boolean>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const running = useRef(false);
  const mounted = useRef(true);
  useEffect(() => () => { mounted.current = false; }, []);
  const run = useCallback(async (action: () => Promise<void>) => {
    if (running.current) return false;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (e) {
      if (mounted.current) setError(e);
      return false;
    } finally {
      running.current = false;
      if (mounted.current) setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
