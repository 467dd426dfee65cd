import { useId, useState } from 'react';

interface Props {
  label: string;
  hint: string;
  value: number;
  min: number;
  max?: number;
  step?: number;
  /** 'decimal' for fractions and negative numbers (weights). */
  inputMode?: 'numeric' | 'decimal';
  name: string;
  disabled?: boolean;
  onChange(value: number): void;
}

/** Keeps what was typed (even "" mid-edit) and only passes on whole numbers that are in range. */
export function NumberField({ label, hint, value, min, max = Infinity, step = 1, name, disabled, inputMode = 'numeric', onChange }: Props) {
  const id = useId();
  const [text, setText] = useState(String(value));
  const inRange = (n: number) => Number.isFinite(n) && n >= min && n <= max;
  const parsed = Number(text);
  const valid = text.trim() !== '' && inRange(parsed);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="number"
        inputMode={inputMode}
        min={min}
        max={Number.isFinite(max) ? max : undefined}
        step={step}
        value={text}
        disabled={disabled}
        aria-invalid={!valid}
        aria-describedby={`${id}-hint`}
        onChange={(event) => {
          const next = event.currentTarget.value;
          setText(next);
          const n = Number(next);
          if (next.trim() !== '' && inRange(n)) onChange(n);
        }}
      />
      <span id={`${id}-hint`} className="hint">
        {valid ? hint : Number.isFinite(max) ? `Enter a number from ${min} to ${max}.` : `Enter a number of at least ${min}.`}
      </span>
    </div>
  );
}
