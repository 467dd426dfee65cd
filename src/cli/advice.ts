// The pipeline's warnings are written for the app and name its settings ("the minimum sequence
// length", "the bot limit", "the column mapping"). The CLI prints the same warnings with the advice
// said in its own options, so that it never advises an option the CLI does not have.

/** App phrase -> what the CLI says instead. Matched case-insensitively, anywhere in a warning. */
const PHRASES: [RegExp, string][] = [
  [/lower the minimum sequence length/gi, 'lower --min-length'],
  [/raise the bot limit/gi, 'raise --max-length (0 = off)'],
  [/the bot limit/gi, '--max-length'],
  [
    /Choose which column (holds the item id|identifies the shopper) in the column mapping/g,
    'Rename the header of the column that $1 to a name SeqLens knows (e.g. product_id, user_id, session_id): the CLI finds columns by their names; the app can map any column',
  ],
  [/;? or choose the column's role in the column mapping/g, " (the CLI finds columns by their names; the app can choose a column's role)"],
  [/check the reasons below and the column mapping/gi, 'check the rejection reasons and the column names (the CLI finds columns by their names)'],
  [/the reasons below/gi, 'the rejection reasons'],
  [/group by session instead/gi, 'group by session instead (--by session)'],
  [/group by user instead/gi, 'group by user instead (--by user)'],
  [/the session gap setting/gi, '--session-gap'],
];

/** A pipeline warning with its advice in the CLI's terms. */
export function cliWarning(w: string): string {
  let out = w;
  for (const [re, say] of PHRASES) out = out.replace(re, say);
  return out;
}
