import { z } from "zod";
import type { Store } from "../store/types.js";
import type { AllocationState } from "../strategy/index.js";

/**
 * The strategy's state between cycles (active rule levels for hysteresis, last target weights for
 * the turnover limit), kept in the shared store per vault so a restarted or second operator process
 * evaluates exactly as the first would have.
 */
const allocationStateSchema = z.strictObject({
  weightsBps: z.record(z.string(), z.number().int()),
  ruleLevels: z.record(z.string(), z.number().int()),
});

export function allocationStateKey(vault: string): string {
  return `allocation:${vault.toLowerCase()}`;
}

export async function loadAllocationState(store: Store, vault: string): Promise<AllocationState | undefined> {
  const text = await store.getState(allocationStateKey(vault));
  if (text === undefined) return undefined;
  const parsed = allocationStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`stored allocation state for ${vault} is malformed: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function saveAllocationState(
  store: Store,
  vault: string,
  state: AllocationState,
): Promise<void> {
  const value: AllocationState = { weightsBps: state.weightsBps, ruleLevels: state.ruleLevels };
  await store.setState(allocationStateKey(vault), JSON.stringify(value));
}
