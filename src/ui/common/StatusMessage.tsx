/** Always rendered, even when empty: screen readers only announce changes to a region that already exists. */
export function StatusMessage({ message }: { message: string }) {
  return (
    <p role="status" aria-live="polite" data-testid="status" className={message ? 'status' : 'status empty'}>
      {message}
    </p>
  );
}
