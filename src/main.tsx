import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { createAnalysisClient } from './worker/client';
import { bootElement } from './ui/kiosk/boot';
import './ui/app.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {bootElement(
      (client) => (
        <App client={client} />
      ),
      createAnalysisClient,
    )}
  </StrictMode>,
);
