// How the page starts: in kiosk mode (?kiosk) the app runs under the kiosk's supervisor, on the
// settings a kiosk needs, with the offline service worker; ?kiosk-log shows the kiosk's log alone;
// otherwise the app as ever, under an error boundary so a render error never leaves a blank page.
import type { ReactNode } from 'react';
import type { AnalysisClient } from '../../worker/client';
import { parseKioskConfig, withKioskDefaults } from './config';
import { ErrorBoundary } from './ErrorBoundary';
import { KioskLogView } from './KioskLogView';
import { KioskRoot } from './KioskRoot';
import { appendKioskLog, describeError } from './log';

/** The service worker is registered in kiosk mode only, so normal visits and their tests run exactly as without it. */
function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL }).catch((e: unknown) => {
    appendKioskLog({ level: 'error', event: 'service-worker', message: `Not registered: ${describeError(e)}`, cycle: 0 });
  });
}

/** What to render for this URL; call before the app's first render (kiosk mode adjusts the URL the settings are read from). */
export function bootElement(app: (client: AnalysisClient) => ReactNode, createClient: () => AnalysisClient): ReactNode {
  const params = new URLSearchParams(location.search);
  if (params.has('kiosk-log')) return <KioskLogView />;
  const config = parseKioskConfig(location.search);
  const client = createClient();
  if (!config) return <ErrorBoundary>{app(client)}</ErrorBoundary>;
  const search = withKioskDefaults(location.search);
  if (search !== location.search) history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
  registerServiceWorker();
  return (
    <KioskRoot config={config} client={client}>
      {app(client)}
    </KioskRoot>
  );
}
