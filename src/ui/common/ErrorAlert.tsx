import type { AnalysisError } from '../../worker/client';
import { formatInt } from './format';

interface Props {
  error: AnalysisError;
  subject: string;
  onDismiss(): void;
}

export function ErrorAlert({ error, subject, onDismiss }: Props) {
  const mentionsLine = error.line !== undefined && error.message.includes(String(error.line));
  return (
    <div role="alert" data-testid="error" data-code={error.code} data-line={error.line} className="alert">
      <div>
        <p className="alert-title">{subject ? `${subject} could not be analysed` : 'The file could not be analysed'}</p>
        <p>{error.message}</p>
        {error.line !== undefined && !mentionsLine && <p>See line {formatInt(error.line)} of the file.</p>}
        {error.code === 'no-user-or-item' && <p>Choose the role of each column below, then apply the mapping.</p>}
      </div>
      <button type="button" className="link" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
