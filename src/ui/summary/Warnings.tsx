export function Warnings({ warnings }: { warnings: string[] }) {
  if (warnings.length === 0) return null;
  return (
    <section className="panel warnings" aria-labelledby="warnings-heading" data-testid="warnings">
      <h3 id="warnings-heading">Warnings</h3>
      <ul>
        {warnings.map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ul>
    </section>
  );
}
