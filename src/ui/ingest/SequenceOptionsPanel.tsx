import { useEffect, useRef, useState } from 'react';
import type { SequenceOptions } from '../../pipeline/types';
import { NumberField } from '../common/NumberField';

const DEBOUNCE_MS = 250;

interface Props {
  /** The options of the report on screen; the panel is re-created for each new file. */
  initial: SequenceOptions;
  disabled: boolean;
  onChange(options: SequenceOptions): void;
}

export function SequenceOptionsPanel({ initial, disabled, onChange }: Props) {
  const [options, setOptions] = useState(initial);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  // Typing "25" should regroup once, not for "2" and then "25".
  const update = (patch: Partial<SequenceOptions>) => {
    const next = { ...options, ...patch };
    setOptions(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => onChange(next), DEBOUNCE_MS);
  };

  return (
    <section className="panel options" aria-labelledby="options-heading">
      <h2 id="options-heading">Sequences</h2>
      <p className="hint">Changes apply at once, without reading the file again.</p>
      <form className="options-form" onSubmit={(event) => event.preventDefault()}>
        <fieldset data-testid="group-by" disabled={disabled}>
          <legend>Group events by</legend>
          {(['user', 'session'] as const).map((by) => (
            <label key={by} className="radio">
              <input type="radio" name="group-by" value={by} checked={options.by === by} onChange={() => update({ by })} />
              {by === 'user' ? 'User' : 'Session'}
            </label>
          ))}
        </fieldset>
        <NumberField
          name="min-length"
          label="Minimum sequence length"
          hint="events; shorter ones are not clustered: they form the group “Too little history yet”"
          min={1}
          value={options.minLength}
          disabled={disabled}
          onChange={(minLength) => update({ minLength })}
        />
        <NumberField
          name="max-length"
          label="Bot limit: maximum views and clicks"
          hint="more, or 50+ faster than one a second, is a bot; purchases never count; 0 = off"
          min={0}
          value={options.maxLength}
          disabled={disabled}
          onChange={(maxLength) => update({ maxLength })}
        />
        <NumberField
          name="dedupe-seconds"
          label="Collapse repeats within"
          hint="seconds; same item and type; 0 = off"
          min={0}
          value={options.dedupeSeconds}
          disabled={disabled}
          onChange={(dedupeSeconds) => update({ dedupeSeconds })}
        />
        <NumberField
          name="session-gap"
          label="Session gap"
          hint="minutes; used when the file has no session column"
          min={1}
          value={options.sessionGapMinutes}
          disabled={disabled}
          onChange={(sessionGapMinutes) => update({ sessionGapMinutes })}
        />
      </form>
    </section>
  );
}
