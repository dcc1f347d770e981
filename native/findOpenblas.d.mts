// Types for findOpenblas.mjs (imported by the TypeScript tests).
export type OpenblasProbe = { ok: true; includeDir: string; libDir: string } | { ok: false; reason: string };
export function findOpenblas(env?: Record<string, string | undefined>): OpenblasProbe;
