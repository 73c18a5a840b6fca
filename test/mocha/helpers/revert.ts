import { BaseError, ContractFunctionRevertedError } from "viem";

/**
 * Awaits `action`, requires it to revert with the custom error `errorName`, and returns the error's
 * decoded arguments (the ABI used for the call must declare the error).
 */
export async function expectRevert(action: Promise<unknown>, errorName: string): Promise<readonly unknown[]> {
  try {
    await action;
  } catch (error) {
    if (!(error instanceof BaseError)) throw error;
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (!(reverted instanceof ContractFunctionRevertedError)) {
      throw new Error(`expected ${errorName}, got: ${error.shortMessage}`, { cause: error });
    }
    if (reverted.data?.errorName !== errorName) {
      throw new Error(`expected ${errorName}, got ${reverted.data?.errorName ?? reverted.shortMessage}`, {
        cause: error,
      });
    }
    return reverted.data.args ?? [];
  }
  throw new Error(`expected ${errorName}, but the call succeeded`);
}

/** Awaits `action` and requires it to revert with the string reason `reason` (require / Error(string)). */
export async function expectRevertReason(action: Promise<unknown>, reason: string): Promise<void> {
  try {
    await action;
  } catch (error) {
    if (!(error instanceof BaseError)) throw error;
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (!(reverted instanceof ContractFunctionRevertedError) || reverted.reason !== reason) {
      throw new Error(`expected revert "${reason}", got: ${error.shortMessage}`, { cause: error });
    }
    return;
  }
  throw new Error(`expected revert "${reason}", but the call succeeded`);
}
