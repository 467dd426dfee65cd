// Which currency the amounts are shown in: the log's own when it says (a currency column, signs on
// the prices), else the reader's choice, remembered in this browser; "plain numbers" by default,
// never a guessed currency.
import { useId, useMemo } from 'react';
import type { CurrencyInfo } from '../../pipeline/types';
import { currencyChoices, currencyName, currencySource } from '../common/money';

interface Props {
  detected: CurrencyInfo | undefined;
  /** The reader's choice for logs that do not say (null: plain numbers). */
  chosen: string | null;
  onChoose(code: string | null): void;
}

export function CurrencySetting({ detected, chosen, onChoose }: Props) {
  const id = useId();
  const choices = useMemo(() => currencyChoices(), []);
  if (detected?.code) {
    return (
      <p className="hint currency-setting" data-testid="currency" data-code={detected.code} data-source={detected.source}>
        Amounts in {currencyName(detected.code)} ({detected.code}), {currencySource(detected)}.
      </p>
    );
  }
  return (
    <p className="hint currency-setting" data-testid="currency" data-code={chosen ?? ''} data-source={chosen ? 'chosen' : 'none'}>
      <label htmlFor={id}>Currency of the amounts </label>
      <select id={id} data-testid="currency-choice" value={chosen ?? ''} onChange={(e) => onChoose(e.currentTarget.value || null)}>
        <option value="">plain numbers</option>
        {choices.map((c) => (
          <option key={c} value={c}>
            {c} · {currencyName(c)}
          </option>
        ))}
      </select>{' '}
      {detected?.symbol
        ? `The prices carry ${detected.symbol}, which several currencies use: choose which.`
        : 'The log does not say its currency; your choice is remembered in this browser.'}
    </p>
  );
}
