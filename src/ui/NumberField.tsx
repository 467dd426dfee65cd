import { useId, useState } from 'react';

interface Props {
  label: string;
  hint: string;
  value: number;
  min: number;
  step?: number;
  name: string;
  disabled?: boolean;
  onChange(value: number): void;
}

/** Keeps what was typed (even "" mid-edit) and only passes on whole numbers that are in range. */
export function NumberField({ label, hint, value, min, step = 1, name, disabled, onChange }: Props) {
  const id = useId();
  const [text, setText] = useState(String(value));
  const parsed = Number(text);
  const valid = text.trim() !== '' && Number.isFinite(parsed) && parsed >= min;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="number"
        inputMode="numeric"
        min={min}
        step={step}
        value={text}
        disabled={disabled}
        aria-invalid={!valid}
        aria-describedby={`${id}-hint`}
        onChange={(event) => {
          const next = event.currentTarget.value;
          setText(next);
          const n = Number(next);
          if (next.trim() !== '' && Number.isFinite(n) && n >= min) onChange(n);
        }}
      />
      <span id={`${id}-hint`} className="hint">
        {valid ? hint : `Enter a number of at least ${min}.`}
      </span>
    </div>
  );
}
