import { useEffect, useState } from "preact/hooks";

/** Loads data, again whenever a dependency changes (the app's live version); keeps the last data while reloading. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | null; error: unknown; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (d) => {
        if (!current) return;
        setData(d);
        setError(null);
      },
      (e) => current && setError(e),
    );
    return () => void (current = false);
  }, [...deps, n]);
  return { data, error, reload: () => setN((x) => x + 1) };
}

/** A form's submit: busy while it runs, its error kept for the page to show next to the form. */
export function useAction(): {
  busy: boolean;
  error: unknown;
  run: (fn: () => Promise<unknown>) => Promise<void>;
  reset: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, reset: () => setError(null) };
}

/** useLoad, reloaded every `everyMs` while `active` (a running canary, the traffic figures); stops when the page goes. */
export function usePolled<T>(
  load: () => Promise<T>,
  deps: unknown[],
  everyMs: number,
  active: (data: T | null) => boolean = () => true,
): { data: T | null; error: unknown; reload: () => void } {
  const loaded = useLoad(load, deps);
  const on = active(loaded.data);
  useEffect(() => {
    if (!on) return;
    const t = setInterval(loaded.reload, everyMs);
    return () => clearInterval(t);
  }, [on, everyMs, ...deps]);
  return loaded;
}
