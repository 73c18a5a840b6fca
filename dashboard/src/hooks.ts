import { useCallback, useEffect, useRef, useState } from "react";

/** Loads `load()` now and every `everyMs`; `reload()` forces a refresh. Keeps the last good value on error. */
export function usePolled<T>(load: () => Promise<T>, everyMs: number, deps: readonly unknown[]) {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<string>();
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const v = await loadRef.current();
        if (stop) return;
        setValue(v);
        setError(undefined);
      } catch (e) {
        if (!stop) setError((e as Error).message.split("\n")[0]);
      }
      if (!stop && everyMs > 0) timer = setTimeout(run, everyMs);
    };
    void run();
    return () => {
      stop = true;
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick, everyMs]);
  return { value, error, reload };
}
