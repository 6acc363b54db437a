// Every page of the app. To add a page: add a route below (lazy-loaded, so
// it gets its own chunk), wrap it in RequireAuth if it needs a session,
// and add a nav item in layout/nav.ts if it belongs in the navigation.
// Top-level paths must also be reserved usernames (shared/usernames), since
// /:username is the channel page.

import { createBrowserRouter, Navigate, type RouteObject } from 'react-router';
import { AppShell } from './layout/AppShell';
import { RouteError } from './layout/RouteError';
import Directory from './pages/Directory';

const page = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({ Component: (await load()).default });

export const routes: RouteObject[] = [
  {
    path: '/',
    element: <AppShell />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Directory /> },
      { path: 'login', lazy: page(() => import('./pages/account/Login')) },
      { path: '*', element: <Navigate to="/" replace /> },
    ],
  },
];

export const router = createBrowserRouter(routes);
