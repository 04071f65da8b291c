// Deployment files are parsed YAML and JSON, so every value arrives as unknown. These read
// it leniently: a missing or mistyped field becomes an empty value that a check reports,
// rather than a TypeError that hides every other problem in the file.

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
