// The signed-in API client, handed to every page through context.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from '../api/client';

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside a signed-in app');
  return api;
}
