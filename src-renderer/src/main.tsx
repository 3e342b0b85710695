import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import '@mantine/notifications/styles.css';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { HashRouter } from 'react-router';
import { connect } from './api/connect';
import { ApiProvider } from './api/react';
import { App } from './app/App';
import { cssVariablesResolver, theme } from './app/theme';

const container = document.getElementById('root');
if (!container) throw new Error('Cohort: #root element missing from index.html');
const { client, missingToken } = connect();
createRoot(container).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <Notifications position="top-right" />
      <ApiProvider client={client}>
        <HashRouter>
          <App missingToken={missingToken} />
        </HashRouter>
      </ApiProvider>
    </MantineProvider>
  </StrictMode>,
);
