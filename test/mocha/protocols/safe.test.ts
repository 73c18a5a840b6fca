import { expect } from "chai";
import { encodeFunctionData, parseUnits } from "viem";
import { projectArtifact, read } from "../../../deploy/lib/artifacts.js";
import {
  buildSafeTx,
  createSafe,
  deploySafeInfrastructure,
  execSafeTx,
  safeArtifacts,
} from "../../../deploy/protocols/safe.js";
import { deployMockToken, mintMockToken } from "../../../deploy/protocols/tokens.js";
import { localChain } from "../helpers/chain.js";

const { clientsFor } = await localChain();

describe("Safe 1.4.1 (npm artifacts)", function () {
  it("a 2-of-3 Safe executes a token transfer with EIP-712 signatures and refuses one signature", async function () {
    const deployer = clientsFor(0);
    const owners = [clientsFor(1), clientsFor(2), clientsFor(3)];
    const infra = await deploySafeInfrastructure(deployer);
    const safe = await createSafe(
      deployer,
      infra,
      owners.map((o) => o.wallet.account.address),
      2n,
    );
    expect(
      await read<bigint>(deployer, {
        address: safe,
        abi: safeArtifacts.safe().abi,
        functionName: "getThreshold",
      }),
    ).to.equal(2n);

    const token = await deployMockToken(deployer, "USD Coin", "USDC", 6);
    await mintMockToken(deployer, token, safe, parseUnits("10", 6));
    const bob = clientsFor(4).wallet.account.address;
    const data = encodeFunctionData({
      abi: projectArtifact("MockERC20").abi,
      functionName: "transfer",
      args: [bob, parseUnits("4", 6)],
    });
    const tx = await buildSafeTx(deployer, safe, token, data);

    let refused = false;
    try {
      await execSafeTx(deployer, safe, tx, [owners[0]!.wallet]);
    } catch (error) {
      refused = String(error).includes("GS020");
    }
    expect(refused).to.equal(true);

    await execSafeTx(deployer, safe, tx, [owners[2]!.wallet, owners[0]!.wallet]);
    expect(
      await read<bigint>(deployer, {
        address: token,
        abi: projectArtifact("MockERC20").abi,
        functionName: "balanceOf",
        args: [bob],
      }),
    ).to.equal(parseUnits("4", 6));
    expect(
      await read<bigint>(deployer, { address: safe, abi: safeArtifacts.safe().abi, functionName: "nonce" }),
    ).to.equal(1n);
  });
});
