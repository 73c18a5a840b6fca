import type { KeeperComponents } from "./ports.js";

/**
 * The one place where the parts built by other modules are connected to the keeper service.
 * Each entry stays absent until its module lands; the CLI names what is missing instead of
 * pretending. Connect them here, e.g.:
 *
 *   import { evaluate } from "../strategy/index.js";
 *   import { runReplay } from "../backtest/index.js";
 *   export const components: KeeperComponents = { strategy: { evaluate }, policy, strategyConfig, runReplay, ... };
 */
export const components: KeeperComponents = {};
