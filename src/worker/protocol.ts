// The contract between the page and the analysis worker. Only plain, structured-cloneable data
// crosses it: comlink flattens Error subclasses to bare Errors, so failures travel as WireError.
import type {
  AnalysisReport,
  Detection,
  LogError,
  Progress,
  RoleMapping,
  SequenceOptions,
} from '../pipeline/types';

export type ErrorCode = LogError['code'] | 'internal';

export interface WireError {
  message: string;
  code: ErrorCode;
  line?: number;
  /** What was detected before a 'no-user-or-item' failure, so the user can map those columns. */
  detection?: Detection;
}

export interface AnalyzeRequest {
  mapping?: RoleMapping;
  sequence?: Partial<SequenceOptions>;
  /** layoutKey -> mapping the user applied before; used when no explicit mapping is given. */
  savedMappings?: Record<string, RoleMapping>;
}

export type ProgressCallback = (p: Progress) => void;

export type RemapTarget = 'report' | 'unrecognised';

export interface AnalysisWorkerApi {
  analyzeFile(file: Blob, name: string, req: AnalyzeRequest, onProgress: ProgressCallback): Promise<AnalysisReport>;
  analyzeDemo(req: AnalyzeRequest, onProgress: ProgressCallback): Promise<AnalysisReport>;
  /** Re-reads a file with a new mapping: the one of the report on screen, or the last one whose columns could not be recognised. */
  remap(
    target: RemapTarget,
    mapping: RoleMapping,
    sequence: Partial<SequenceOptions> | undefined,
    onProgress: ProgressCallback,
  ): Promise<AnalysisReport>;
  regroup(sequence: SequenceOptions): Promise<AnalysisReport>;
  cancel(): void;
}

export const DEMO_FILE_NAME = 'uci-online-retail-demo.csv';

export function isWireError(value: unknown): value is WireError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as WireError).message === 'string' &&
    typeof (value as WireError).code === 'string'
  );
}
