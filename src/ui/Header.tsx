function LockIcon() {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M8 1a3.5 3.5 0 0 0-3.5 3.5V7H4a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1V8a1 1 0 0 0-1-1h-.5V4.5A3.5 3.5 0 0 0 8 1Zm-2 6V4.5a2 2 0 1 1 4 0V7H6Z"
      />
    </svg>
  );
}

export function Header() {
  return (
    <header className="site-header">
      <div className="wrap">
        <h1>
          Seq<span>Lens</span>
        </h1>
        <p className="tagline">Sequence analytics for e-commerce behaviour logs.</p>
        <p className="privacy">
          <LockIcon /> Private: your file is analysed in this tab and nothing leaves your machine.
        </p>
      </div>
    </header>
  );
}
