import { api } from "./api.js";

/**
 * Data a view needs for its first paint, requested by main.tsx as the page starts, in parallel with
 * the view's code instead of after it has loaded and mounted. The view takes each answer once; its
 * later refreshes ask the server again.
 */

const pending = new Map<string, Promise<unknown>>();

export function prefetch(path: string): void {
  const answer = api(path);
  // an error is the view's to show when it takes the answer
  answer.catch(() => undefined);
  pending.set(path, answer);
}

/** The prefetched answer for `path` the first time, then a fresh request each time. */
export function fetchOnce<T>(path: string): Promise<T> {
  const answer = pending.get(path);
  if (!answer) return api<T>(path);
  pending.delete(path);
  return answer as Promise<T>;
}
