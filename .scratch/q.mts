import { aprilSpreadModel, januaryGroupQuotes } from "../deploy/local/clob/recordedQuotes.js";
const spread = await aprilSpreadModel();
for (const t of [1_769_439_031, 1_769_439_031 + 8*3600, 1_769_439_031 + 16*3600, 1_769_439_031+24*3600, Date.parse("2026-01-28T13:59:59Z")/1000]) {
  const legs = await januaryGroupQuotes({ group: "rba-feb-2026-decision", atMs: t * 1000, spread });
  console.log(new Date(t*1000).toISOString(), legs.map(l => Number(l.yesAsk)/1e4), legs.reduce((s,l)=>s+Number(l.yesAsk)/1e4,0).toFixed(3), legs[0]?.tickSize, legs[0]?.feeRateBps);
}
