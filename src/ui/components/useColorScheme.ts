// The colour scheme the system asks for; canvases (uPlot, parallel coordinates) redraw on change.
import { useEffect, useState } from 'preact/hooks';
import type { Scheme } from '../lib/palette';

const query = () => matchMedia('(prefers-color-scheme: dark)');

export function useColorScheme(): Scheme {
  const [dark, setDark] = useState(() => query().matches);
  useEffect(() => {
    const q = query();
    const on = () => setDark(q.matches);
    q.addEventListener('change', on);
    return () => q.removeEventListener('change', on);
  }, []);
  return dark ? 'dark' : 'light';
}

/** A CSS variable's current value, for drawing on canvas in the page's theme. */
export const cssVar = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
