// Everything the CLI prints to a terminal goes through here. Header names, ids, titles and error
// messages come from the file, and a file can hold escape sequences that move the cursor, rewrite
// earlier lines, set the window title or hide text (ESC [ ... , OSC ... BEL), or bidi overrides that
// make text read backwards. So control characters are replaced by a visible U+FFFD before they reach
// stderr or the human report; the line ends and tabs the CLI writes itself survive.
// (The --json report needs none of this: JSON.stringify escapes every C0 character, ESC included,
// as \u001b; C1 and bidi characters it leaves raw, so stdJson below escapes those too.)

/**
 * C0 controls except \t and \n, DEL, C1 controls (U+0080..U+009F: U+009B is a one-byte CSI), the
 * bidi embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069), the line and paragraph
 * separators, and a lone CR (a CR rewinds the line; \r\n is kept as \n).
 */
const UNSAFE = /\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export const REPLACEMENT = '\ufffd';

/** The text with every control character that a terminal would act on made visible and inert. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (m) => (m === '\r\n' ? '\n' : REPLACEMENT));
}

/** One line of a message: newlines inside it (from file data) become spaces as well. */
export function terminalLine(text: string): string {
  return terminalSafe(text).replace(/\n/g, ' ');
}

/** JSON for stdout: C1 controls, separators and bidi overrides escaped as \uXXXX (JSON.stringify leaves them raw). */
export function stdJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What the CLI writes to stderr: made safe first. */
export function writeErr(text: string): void {
  process.stderr.write(terminalSafe(text));
}

/** The human report on stdout: made safe first. */
export function writeOut(text: string): void {
  process.stdout.write(terminalSafe(text));
}
