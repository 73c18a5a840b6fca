import type { DashboardAddresses } from "../shared/vaultState.js";

/** The dashboard server's JSON API (dashboard/server/server.ts), same origin as the page. */

export interface Deployment extends DashboardAddresses {
  readonly registry?: `0x${string}`;
  readonly roles: { readonly operators: readonly `0x${string}`[] };
}

export interface Config {
  readonly ok: boolean;
  readonly problem: string | null;
  readonly deployment: Deployment | null;
  readonly store: { readonly ok: boolean; readonly problem?: string };
  readonly keeper: { readonly url: string; readonly canSign: boolean } | null;
  /** whether the copilot can turn a recommendation into a proposal (keeper planning in process) */
  readonly copilot: boolean;
}

export class ApiError extends Error {}

export async function api<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (error) {
    throw new ApiError(`the dashboard server does not answer (${(error as Error).message})`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (!res.ok) throw new ApiError(text || `HTTP ${res.status}`);
    return text as T;
  }
  if (!res.ok) throw new ApiError((body as { error?: string }).error ?? `HTTP ${res.status}`);
  return body as T;
}

export const postJson = <T>(path: string, body: unknown) =>
  api<T>(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
