import { describe, expect, it } from 'vitest';
import { pipelineStatus, type PipelineInput, type StepInput } from './pipelineStatus';

const done: StepInput = { phase: 'done', fraction: null };
const base = (patch: Partial<PipelineInput> = {}): PipelineInput => ({
  reading: { active: false, fraction: null },
  hasLog: true,
  behaviour: true,
  encode: done,
  gcn: done,
  cluster: done,
  map: done,
  profile: done,
  ...patch,
});

describe('the analysis status in the merchant’s words', () => {
  it('says ready only when every step has finished for the data on screen', () => {
    expect(pipelineStatus(base())).toMatchObject({ state: 'done', label: 'Segments ready', index: 6, count: 6 });
    // A stale result (a newer one on its way) is not finished, at any step.
    for (const step of ['encode', 'gcn', 'cluster', 'map', 'profile'] as const) {
      const s = pipelineStatus(base({ [step]: { phase: 'done', fraction: null, stale: true } }));
      expect(s.state, step).toBe('running');
      expect(s.step, step).toBe(step);
    }
    // Waiting counts as not finished too (the step has not started yet).
    expect(pipelineStatus(base({ profile: { phase: 'waiting', fraction: null } }))).toMatchObject({ state: 'running', step: 'profile', fraction: null });
  });

  it('names the first unfinished step in pipeline order, with its percent', () => {
    const s = pipelineStatus(base({ encode: { phase: 'running', fraction: 0.42 }, cluster: { phase: 'waiting', fraction: null } }));
    expect(s).toMatchObject({ state: 'running', step: 'encode', label: 'Learning how customers shop', fraction: 0.42, index: 2, count: 6 });
    expect(pipelineStatus(base({ behaviour: false, encode: { phase: 'running', fraction: 2 } }))).toMatchObject({
      label: 'Describing the products',
      fraction: 1,
    });
  });

  it('skips the graph network when it is off, and reading comes first whatever is on screen', () => {
    expect(pipelineStatus(base({ gcn: null, map: { phase: 'running', fraction: 0.5 } }))).toMatchObject({ step: 'map', index: 4, count: 5 });
    expect(pipelineStatus(base({ reading: { active: true, fraction: 0.1 } }))).toMatchObject({
      state: 'running',
      step: 'read',
      label: 'Reading the log',
      fraction: 0.1,
      index: 1,
    });
  });

  it('reports a failed or cancelled step rather than waiting for ever, and nothing before a log', () => {
    expect(pipelineStatus(base({ cluster: { phase: 'error', fraction: null } }))).toMatchObject({ state: 'error', step: 'cluster' });
    expect(pipelineStatus(base({ gcn: { phase: 'cancelled', fraction: null } }))).toMatchObject({ state: 'stopped', step: 'gcn' });
    expect(pipelineStatus(base({ hasLog: false }))).toMatchObject({ state: 'empty', step: null });
  });
});
