// The Money every amount on the page is written with (money.ts): App provides the one for the log
// on screen; panels read it with useMoney(), so a change of currency reaches them all.
import { createContext, useContext } from 'react';
import { type Money, PLAIN_MONEY } from './money';

export const MoneyContext = createContext<Money>(PLAIN_MONEY);

export function useMoney(): Money {
  return useContext(MoneyContext);
}
