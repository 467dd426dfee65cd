import { useEffect, useRef, useState } from 'react';

/**
 * The value, passed on at most once per `ms` while it keeps changing (the last one always lands).
 * A chart redrawn for every training epoch would hold the main thread for most of each epoch.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + ms - performance.now();
    if (wait <= 0) {
      last.current = performance.now();
      setShown(value);
      return;
    }
    const timer = setTimeout(() => {
      last.current = performance.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}
