// A render error must never leave a blank screen (or, on a kiosk, a developer's stack trace): the
// part that failed is replaced by a calm card. In kiosk mode `onError` restarts the cycle, which
// remounts everything below with a new key; elsewhere the card offers a reload.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** Told of every error caught; the kiosk logs it and restarts. */
  onError?(error: unknown, info: ErrorInfo): void;
  /** The card's text: "Restarting…" in a kiosk, an offer to reload elsewhere. */
  recovering?: boolean;
}

interface State {
  failed: boolean;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    this.props.onError?.(error, info);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return <RestartCard reload={!this.props.recovering} />;
  }
}

/** The card shown while the app starts over (or, outside a kiosk, when it needs a reload). */
export function RestartCard({ reload = false }: { reload?: boolean }) {
  return (
    <div className="kiosk-restart" role="status" data-testid="restart-card">
      <p className="kiosk-restart-title">{reload ? 'Something went wrong' : 'Restarting…'}</p>
      <p>{reload ? 'This view stopped. Reloading the page starts it afresh.' : 'One moment: the analysis is starting over.'}</p>
      {reload && (
        <button type="button" onClick={() => location.reload()}>
          Reload
        </button>
      )}
    </div>
  );
}
