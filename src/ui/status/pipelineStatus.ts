// Where the whole analysis stands, in the merchant's words: which step runs now and how far it is,
// or that the segments are ready. "Ready" is said only when every step the segments need has
// finished for the data on screen (the reading, the vectors, the graph network when it is on, the
// clusters, the map and the segment profiles), never while one of them still runs or waits.

export type StepId = 'read' | 'encode' | 'gcn' | 'cluster' | 'map' | 'profile';

export type JobPhase = 'waiting' | 'running' | 'done' | 'error' | 'cancelled';

export interface StepInput {
  phase: JobPhase;
  /** 0..1 when the step knows how far it is. */
  fraction: number | null;
  /** A result exists but belongs to older data (a newer one is on its way). */
  stale?: boolean;
}

export interface PipelineInput {
  /** The log is being read (or regrouped). */
  reading: { active: boolean; fraction: number | null };
  /** A log is on screen. */
  hasLog: boolean;
  /** The behaviour model learns from the log; else items are described by text. */
  behaviour: boolean;
  encode: StepInput;
  /** null: the graph network is off. */
  gcn: StepInput | null;
  cluster: StepInput;
  map: StepInput;
  profile: StepInput;
}

export interface PipelineStatus {
  state: 'empty' | 'running' | 'done' | 'stopped' | 'error';
  /** The step running now, or the one that stopped or failed; null when empty or done. */
  step: StepId | null;
  /** What the step does, in plain words ("Learning how customers shop"). */
  label: string;
  /** 0..1 within the step; null when unknown. */
  fraction: number | null;
  /** 1-based position of the step among those this analysis runs, and how many it runs. */
  index: number;
  count: number;
}

export function stepLabel(step: StepId, behaviour: boolean): string {
  switch (step) {
    case 'read':
      return 'Reading the log';
    case 'encode':
      return behaviour ? 'Learning how customers shop' : 'Describing the products';
    case 'gcn':
      return 'Learning which products go together';
    case 'cluster':
      return 'Finding segments';
    case 'map':
      return 'Drawing the map';
    case 'profile':
      return 'Describing the segments';
  }
}

export function pipelineStatus(p: PipelineInput): PipelineStatus {
  const steps: StepId[] = ['read', 'encode', ...(p.gcn ? (['gcn'] as const) : []), 'cluster', 'map', 'profile'];
  const count = steps.length;
  const at = (step: StepId, state: PipelineStatus['state'], fraction: number | null): PipelineStatus => ({
    state,
    step,
    label: stepLabel(step, p.behaviour),
    fraction: fraction === null ? null : Math.min(1, Math.max(0, fraction)),
    index: steps.indexOf(step) + 1,
    count,
  });
  if (p.reading.active) return at('read', 'running', p.reading.fraction);
  if (!p.hasLog) return { state: 'empty', step: null, label: '', fraction: null, index: 0, count };
  const inputs: Record<Exclude<StepId, 'read'>, StepInput | null> = { encode: p.encode, gcn: p.gcn, cluster: p.cluster, map: p.map, profile: p.profile };
  for (const step of steps) {
    if (step === 'read') continue;
    const s = inputs[step];
    if (!s) continue;
    if (s.phase === 'error') return at(step, 'error', null);
    if (s.phase === 'cancelled') return at(step, 'stopped', null);
    if (s.phase !== 'done' || s.stale) return at(step, 'running', s.phase === 'running' ? s.fraction : null);
  }
  return { state: 'done', step: null, label: 'Segments ready', fraction: 1, index: count, count };
}
