// Every stage's errors mapped once: to a WireError for the page (the worker) and to a line for the
// terminal (the CLI). Stage modules throw their own Error classes; nothing else needs to know them.
import { ServiceSettingsError } from '../catalog/serviceSettings';
import { ClusteringCancelledError, ClusteringInputError } from '../cluster';
import { EncoderError } from '../encode';
import { EvalError } from '../eval';
import { PrivacyOptionError } from '../export';
import { GcnError } from '../gcn';
import { GraphOptionsError } from '../graph/options';
import { ProfileInputError } from '../profile';
import { ProjectionCancelledError, ProjectionInputError } from '../project';
import { RecommendError } from '../recommend';
import { ModelFileError } from '../model/errors';
import { LogError } from '../types';
import { isWireError, type ErrorCode, type WireError } from './contract';

/** The stage a failure belongs to. */
export type FailureStage = 'read' | 'encode' | 'gcn' | 'eval' | 'cluster' | 'project' | 'profile' | 'recommend' | 'export' | 'service' | 'model';

export interface Failure {
  stage: FailureStage;
  /** The page's code; null: the page reports it as unexpected ('internal'). */
  code: ErrorCode | null;
  message: string;
  cancelled: boolean;
  error: Error;
}

/** A known stage error, or null for anything else (a bug: reported as unexpected). */
export function failureOf(e: unknown): Failure | null {
  if (!(e instanceof Error)) return null;
  const f = (stage: FailureStage, code: ErrorCode | null, message = e.message): Failure => ({
    stage,
    code,
    message,
    cancelled: code === 'cancelled',
    error: e,
  });
  if (e instanceof LogError) return f('read', e.code);
  if (e instanceof EncoderError) return f('encode', e.code);
  if (e instanceof ClusteringCancelledError) return f('cluster', 'cancelled', 'Clustering was cancelled.');
  if (e instanceof ClusteringInputError) return f('cluster', 'cluster-input');
  if (e instanceof GcnError) return f('gcn', e.code === 'cancelled' ? 'cancelled' : 'gcn-input');
  if (e instanceof GraphOptionsError) return f('gcn', 'gcn-input');
  if (e instanceof ProjectionCancelledError) return f('project', 'cancelled', 'The map was cancelled.');
  if (e instanceof ProjectionInputError) return f('project', 'project-input');
  if (e instanceof ServiceSettingsError) return f('service', 'service-input');
  if (e instanceof PrivacyOptionError) return f('export', 'project-input');
  if (e instanceof ModelFileError) return f('model', 'model-file');
  // Only the CLI gets these with a message of their own (the page never asks for an evaluation, and
  // its profile and recommendation requests are checked before they reach the stages).
  if (e instanceof ProfileInputError) return f('profile', null);
  if (e instanceof RecommendError) return f('recommend', null);
  if (e instanceof EvalError) return f('eval', null);
  return null;
}

/** The error as the page gets it; `what` names the work in the message of an unexpected one. */
export function toWire(e: unknown, what = 'analysing'): WireError {
  // A plain wire error thrown on purpose (stage errors have a code too, but are Errors).
  if (isWireError(e) && !(e instanceof Error)) return e;
  const f = failureOf(e);
  if (f && f.code !== null) {
    const wire: WireError = { message: f.message, code: f.code };
    if (e instanceof LogError) {
      wire.line = e.line;
      if (e.code === 'no-user-or-item' && e.detection) wire.detection = e.detection;
    }
    if (e instanceof EncoderError && e.file) wire.file = e.file;
    return wire;
  }
  const message = e instanceof Error ? e.message : String(e);
  return { message: `Unexpected error while ${what}: ${message}`, code: 'internal' };
}

/** What the CLI says before the message of each stage's failure (after the file name). */
const CLI_LEAD: Partial<Record<FailureStage, string>> = {
  cluster: 'the sequences cannot be clustered: ',
  project: 'the clustered vectors cannot be mapped: ',
  profile: 'the clusters cannot be profiled: ',
  recommend: 'no recommendations: ',
};

/**
 * The CLI's line for a failure of the analysis (exit code 1), or null when it is not one (a bug, a
 * cancel: exit code 3). `about` rewrites a reading message for the terminal (the app's settings
 * named as options). Encoder failures name their model, not the file.
 */
export function cliFailure(e: unknown, file: string, about: (message: string) => string = (m) => m): string | null {
  const f = failureOf(e);
  if (!f || f.cancelled || f.stage === 'service' || f.stage === 'export') return null;
  if (f.stage === 'encode' || f.stage === 'model') return f.message;
  if (f.stage === 'read') return `${file}: ${about(f.message)}`;
  return `${file}: ${CLI_LEAD[f.stage] ?? ''}${f.message}`;
}
