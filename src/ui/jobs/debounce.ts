// How long each stage waits after a settings change on the same input before it runs again: the
// user may still be typing a number or dragging through a list. New input (a new file, new vectors,
// a new sweep) starts at once. The map's layout has no settings of its own, so it has no timer at
// all: it starts from the render that brought the new sweep.
export const STAGE_DEBOUNCE_MS = {
  encode: 250,
  gcn: 300,
  cluster: 300,
  project: null,
} as const satisfies Record<string, number | null>;
