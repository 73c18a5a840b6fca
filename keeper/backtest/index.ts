export * from "./equityChart.js";
export * from "./favouriteBias.js";
export * from "./replay.js";
export * from "./replayMarkdown.js";
export * from "./throughput.js";
