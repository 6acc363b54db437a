// App-wide services made once at start-up from the run-time config.

import { createContext, useContext, type ReactNode } from 'react';
import type { ApiClient } from './api/client';
import type { AppConfig } from './config';

export interface Services {
  config: AppConfig;
  api: ApiClient;
}

const Ctx = createContext<Services | null>(null);

export function ServicesProvider({ value, children }: { value: Services; children: ReactNode }) {
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useServices(): Services {
  const v = useContext(Ctx);
  if (!v) throw new Error('useServices outside ServicesProvider');
  return v;
}

export const useApi = () => useServices().api;
export const useConfig = () => useServices().config;
