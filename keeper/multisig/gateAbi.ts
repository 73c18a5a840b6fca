import { parseAbi } from "viem";

/**
 * The part of the KeeperGate interface the keeper relies on, fixed with the contract's author.
 * When the contract lands, its compiled ABI must contain these exact signatures.
 */
export const keeperGateAbi = parseAbi([
  "struct Call { address target; bytes data; }",
  "struct SignerSignature { address signer; bytes signature; }",
  "function execute(Call[] calls, uint256 deadline, bytes32 provenance, SignerSignature[] signatures)",
  "function nonce() view returns (uint256)",
  "event Executed(uint256 indexed nonce, bytes32 indexed provenance, bytes32 callsHash)",
  // Views of the landed KeeperGate used to check an operator's config against the chain.
  "function vault() view returns (address)",
  "function threshold() view returns (uint256)",
  "function signers() view returns (address[])",
]);
