export * from "./depth.js";
export * from "./opportunities.js";
export * from "./sets.js";
