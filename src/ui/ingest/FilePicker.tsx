import { useRef, useState, type DragEvent } from 'react';
import { formatInt } from '../common/format';
import { NumberField } from '../common/NumberField';
import { loadReadLimit, READ_LIMIT_MAX, READ_LIMIT_MIN, saveReadLimit } from './readLimit';

const ACCEPT = '.csv,.tsv,.txt,.jsonl,.json,.gz,.parquet';

interface Props {
  onFile(file: File): void;
  onDemo(): void;
  /** A log is on screen: one slim line, so the segments fill the first screen. */
  compact?: boolean;
}

export function FilePicker({ onFile, onDemo, compact = false }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [limit, setLimit] = useState(loadReadLimit);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) onFile(file);
  };

  return (
    <section
      className={`dropzone${compact ? ' compact' : ''}${dragging ? ' dragging' : ''}`}
      aria-labelledby="open-heading"
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h2 id="open-heading">{compact ? 'Analyse another log' : 'Analyse a log file'}</h2>
      <p>
        Drop a file here or{' '}
        <button type="button" className="primary" onClick={() => input.current?.click()}>
          Choose file
        </button>
      </p>
      <p className="hint">
        <span className="formats">CSV, TSV, TXT, JSON Lines or JSON, optionally gzip-compressed, or Parquet. </span>Or{' '}
        <button type="button" className="link" onClick={onDemo}>
          reload the demo data
        </button>
        .
      </p>
      <details className="read-limit">
        <summary>Reading limit: up to {formatInt(limit)} events</summary>
        <NumberField
          label="Stop reading a log past this many events"
          hint="Bounds the memory this tab uses (about 45 bytes a kept event, more for the later steps). A larger log stops with a message; analyse a shorter period or raise this."
          name="read-limit"
          value={limit}
          min={READ_LIMIT_MIN}
          max={READ_LIMIT_MAX}
          onChange={(n) => setLimit(saveReadLimit(n))}
        />
      </details>
      {/* Only the button above is in the tab order; the input is how the file dialog is reached. */}
      <input
        ref={input}
        type="file"
        data-testid="file-input"
        accept={ACCEPT}
        aria-label="Log file to analyse"
        className="visually-hidden"
        tabIndex={-1}
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          // Cleared so that choosing the same file again still triggers a change.
          event.currentTarget.value = '';
          if (file) onFile(file);
        }}
      />
    </section>
  );
}
