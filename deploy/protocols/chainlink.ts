import type { Address } from "viem";
import { deploy, projectArtifact, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";

/**
 * Deploys Chainlink's own `MockV3Aggregator` (compiled from @chainlink/contracts), the
 * aggregator the local stack and tests use in place of live feeds.
 */
export async function deployMockFeed(clients: Clients, decimals: number, answer: bigint): Promise<Address> {
  return deploy(clients, projectArtifact("MockV3Aggregator"), [decimals, answer]);
}

/** Pushes a new round with `answer` (timestamp = the block's). */
export async function updateFeed(clients: Clients, feed: Address, answer: bigint): Promise<void> {
  await send(clients, {
    address: feed,
    abi: projectArtifact("MockV3Aggregator").abi,
    functionName: "updateAnswer",
    args: [answer],
  });
}

/** Pushes a full round (id, answer, timestamps) to replay recorded history exactly. */
export async function updateFeedRound(
  clients: Clients,
  feed: Address,
  round: { roundId: bigint; answer: bigint; timestamp: bigint; startedAt: bigint },
): Promise<void> {
  await send(clients, {
    address: feed,
    abi: projectArtifact("MockV3Aggregator").abi,
    functionName: "updateRoundData",
    args: [round.roundId, round.answer, round.timestamp, round.startedAt],
  });
}
