export * from "./btcMarkets.js";
export * from "./equityChart.js";
export * from "./favouriteBias.js";
export * from "./oracleTicks.js";
export * from "./replay.js";
export * from "./replayMarkdown.js";
export * from "./spreads.js";
export * from "./throughput.js";
