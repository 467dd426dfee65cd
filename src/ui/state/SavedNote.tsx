/** Says when a stage's result came from the browser's saved results, or could not be saved. */
export function SavedNote({ restored, saveError, testId }: { restored?: boolean; saveError?: string | null; testId: string }) {
  if (saveError) {
    return (
      <p className="notice" role="status" data-testid={`${testId}-save-error`}>
        {saveError}
      </p>
    );
  }
  if (!restored) return null;
  return (
    <p className="hint" data-testid={`${testId}-restored`}>
      Restored from this browser: computed before for this log with the same settings.
    </p>
  );
}
