import { useRef, useState, type DragEvent } from 'react';

const ACCEPT = '.csv,.tsv,.txt,.jsonl,.json,.gz';

interface Props {
  onFile(file: File): void;
  onDemo(): void;
}

export function FilePicker({ onFile, onDemo }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) onFile(file);
  };

  return (
    <section
      className={`dropzone${dragging ? ' dragging' : ''}`}
      aria-labelledby="open-heading"
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h2 id="open-heading">Analyse a log file</h2>
      <p>
        Drop a file here or{' '}
        <button type="button" className="primary" onClick={() => input.current?.click()}>
          Choose file
        </button>
      </p>
      <p className="hint">
        CSV, TSV, TXT, JSON Lines or JSON, optionally gzip-compressed. Or{' '}
        <button type="button" className="link" onClick={onDemo}>
          reload the demo data
        </button>
        .
      </p>
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
