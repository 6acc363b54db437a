import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from 'react-router';
import './styles/global.css';
import { ApiClient } from './api/client';
import { AuthProvider } from './auth/AuthContext';
import { lazyCognitoAuth } from './auth/lazyAuth';
import { loadConfig } from './config';
import { router } from './router';
import { ServicesProvider } from './services';

const root = createRoot(document.getElementById('root')!);

async function start() {
  let config;
  try {
    config = await loadConfig();
  } catch (e) {
    root.render(
      <main className="boot-error" role="alert">
        <h1>onair could not start</h1>
        <p>{e instanceof Error ? e.message : String(e)}</p>
        <p>
          The app reads its settings from <code>/config.json</code>. Offline, <code>make dev</code> serves it; for a
          deployed stack run <code>make web-config STAGE=dev</code>.
        </p>
      </main>,
    );
    return;
  }
  const backend = lazyCognitoAuth(config);
  const api = new ApiClient({
    baseUrl: config.apiUrl,
    token: async () => (await backend.currentSession())?.accessToken ?? null,
  });
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, err) => count < 2 && !(err && typeof err === 'object' && 'status' in err && (err as { status: number }).status < 500 && (err as { status: number }).status > 0),
        refetchOnWindowFocus: true,
        staleTime: 2_000,
      },
    },
  });
  root.render(
    <StrictMode>
      <ServicesProvider value={{ config, api }}>
        <QueryClientProvider client={queryClient}>
          <AuthProvider backend={backend} api={api}>
            <RouterProvider router={router} />
          </AuthProvider>
        </QueryClientProvider>
      </ServicesProvider>
    </StrictMode>,
  );
}

void start();
