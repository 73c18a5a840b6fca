import type { Hex } from "viem";

/** The message a gate signer signs (EIP-191, personal_sign) to reject a proposal on the dashboard. */
export function rejectMessage(proposalId: Hex, reason: string): string {
  return `Reject proposal ${proposalId}: ${reason}`;
}
