// Chai 6 compares bigints at runtime; its type definitions only admit number | Date.
declare namespace Chai {
  interface NumberComparer {
    (value: bigint, message?: string): Assertion;
  }
  interface CloseTo {
    (expected: bigint, delta: bigint, message?: string): Assertion;
  }
}
