import { expect } from "chai";

// chai's ordering assertions are typed for numbers and dates only; these accept bigint as well.
type Ordered = bigint | number;

export function expectWithin(actual: Ordered, low: Ordered, high: Ordered): void {
  expect(actual >= low && actual <= high, `${actual} is not within [${low}, ${high}]`).to.equal(true);
}

export function expectLessThan(actual: Ordered, bound: Ordered): void {
  expect(actual < bound, `${actual} is not below ${bound}`).to.equal(true);
}

export function expectAtMost(actual: Ordered, bound: Ordered): void {
  expect(actual <= bound, `${actual} is above ${bound}`).to.equal(true);
}

export function expectGreaterThan(actual: Ordered, bound: Ordered): void {
  expect(actual > bound, `${actual} is not above ${bound}`).to.equal(true);
}

export function expectAtLeast(actual: Ordered, bound: Ordered): void {
  expect(actual >= bound, `${actual} is below ${bound}`).to.equal(true);
}
