import { readFileSync } from "node:fs";
import path from "node:path";

/** The example policy shipped with the strategy (docs/strategy.md walks through it). */
export const EXAMPLE_POLICY_FILE = path.resolve(
  process.cwd(),
  "keeper/strategy/policies/example.policy.json",
);
export const EXAMPLE_POLICY: unknown = JSON.parse(readFileSync(EXAMPLE_POLICY_FILE, "utf8"));
