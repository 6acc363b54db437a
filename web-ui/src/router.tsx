// Every page of the app. To add a page: add a route below (lazy-loaded, so
// it gets its own chunk), wrap it in RequireAuth if it needs a session,
// and add a nav item in layout/nav.ts if it belongs in the navigation.
// Top-level paths must also be reserved usernames (shared/usernames), since
// /:username is the channel page.

import { createBrowserRouter, Navigate, type RouteObject } from 'react-router';
import { AppShell } from './layout/AppShell';
import { RequireAuth } from './layout/RequireAuth';
import { RouteError } from './layout/RouteError';
import { FullScreenLoader } from './components/FullScreenLoader';
import Directory from './pages/Directory';

const page = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({ Component: (await load()).default });

export const routes: RouteObject[] = [
  {
    path: '/',
    element: <AppShell />,
    errorElement: <RouteError />,
    // Shown while the first page's lazy chunk loads (instead of nothing).
    hydrateFallbackElement: <FullScreenLoader label="Loading" />,
    children: [
      { index: true, element: <Directory /> },
      { path: 'login', lazy: page(() => import('./pages/account/Login')) },
      // Stages (issue 11): the host's own stage needs a session; guests,
      // viewers and pasted tokens do not.
      { path: 'stage', element: <RequireAuth />, children: [{ index: true, lazy: page(() => import('./pages/stage/HostStage')) }] },
      { path: 'stage/join', lazy: page(() => import('./pages/stage/JoinWithToken')) },
      { path: 'stage/:username', lazy: page(() => import('./pages/stage/GuestStage')) },
      { path: 'register', lazy: page(() => import('./pages/account/Register')) },
      { path: 'reset', lazy: page(() => import('./pages/account/Reset')) },
      {
        element: <RequireAuth />,
        children: [
          { path: 'following', lazy: page(() => import('./pages/Following')) },
          { path: 'settings', lazy: page(() => import('./pages/settings/Settings')) },
          { path: 'manager', lazy: page(() => import('./pages/manager/StreamManager')) },
          { path: 'health', lazy: page(() => import('./pages/health/StreamHealth')) },
          { path: 'health/:streamId', lazy: page(() => import('./pages/health/StreamHealth')) },
          { path: 'health/*', element: <Navigate to="/health" replace /> },
        ],
      },
      { path: ':username', lazy: page(() => import('./pages/channel/ChannelPage')) },
      { path: ':username/profile', lazy: page(() => import('./pages/channel/ChannelPage')) },
      // Any other sub-path of a channel goes to the channel (reference §11.3).
      { path: ':username/*', lazy: page(() => import('./pages/channel/ChannelRedirect')) },
      { path: '*', element: <Navigate to="/" replace /> },
    ],
  },
];

export const router = createBrowserRouter(routes);
