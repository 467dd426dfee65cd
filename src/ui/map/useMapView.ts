// The map's view state, kept above the map so other panels (export, state save) see the same
// selection, hidden clusters, colouring and focused point.
import { useCallback, useMemo, useState } from 'react';

export type ColorBy = 'cluster' | 'length' | 'revenue' | 'country' | 'lastType';

export interface MapView {
  /** Selected points (sequence indices, ascending), or null for none. */
  selection: Int32Array | null;
  setSelection(s: Int32Array | null): void;
  /** Clusters drawn greyed out. */
  hidden: ReadonlySet<number>;
  toggleHidden(cluster: number): void;
  setHidden(h: Iterable<number>): void;
  colorBy: ColorBy;
  setColorBy(c: ColorBy): void;
  /** The point whose details are open, or null. */
  focus: number | null;
  setFocus(i: number | null): void;
}

export function useMapView(): MapView {
  const [selection, setSelectionState] = useState<Int32Array | null>(null);
  const [hidden, setHiddenState] = useState<ReadonlySet<number>>(() => new Set());
  const [colorBy, setColorBy] = useState<ColorBy>('cluster');
  const [focus, setFocus] = useState<number | null>(null);

  // An empty selection is no selection: the summary and exports then mean "everybody".
  const setSelection = useCallback((s: Int32Array | null) => setSelectionState(s && s.length > 0 ? s : null), []);
  const toggleHidden = useCallback(
    (cluster: number) =>
      setHiddenState((prev) => {
        const next = new Set(prev);
        if (!next.delete(cluster)) next.add(cluster);
        return next;
      }),
    [],
  );
  const setHidden = useCallback((h: Iterable<number>) => setHiddenState(new Set(h)), []);

  return useMemo(
    () => ({ selection, setSelection, hidden, toggleHidden, setHidden, colorBy, setColorBy, focus, setFocus }),
    [selection, setSelection, hidden, toggleHidden, setHidden, colorBy, focus],
  );
}
