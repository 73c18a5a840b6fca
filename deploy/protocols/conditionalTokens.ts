import type { Address } from "viem";
import { type Artifact, deploy, npmArtifact } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";

/** Gnosis Conditional Tokens 1.0.3 (the framework Polymarket settles on), prebuilt with solc 0.5.10. */
export const conditionalTokensArtifact = (): Artifact =>
  npmArtifact("@gnosis.pm/conditional-tokens-contracts/build/contracts/ConditionalTokens.json");

/** Deploys the real ConditionalTokens contract. */
export async function deployConditionalTokens(clients: Clients): Promise<Address> {
  return deploy(clients, conditionalTokensArtifact());
}
