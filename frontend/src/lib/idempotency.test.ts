import { describe, expect, it } from "vitest";
import { IdempotencyKeys, randomKey } from "./idempotency";

describe("IdempotencyKeys", () => {
  it("reuses the key for the same values and renews it on change or reset", () => {
    let n = 0;
    const keys = new IdempotencyKeys(() => `k${++n}`);
    expect(keys.forValues({ a: 1 })).toBe("k1");
    expect(keys.forValues({ a: 1 })).toBe("k1");
    expect(keys.forValues({ a: 2 })).toBe("k2");
    keys.reset();
    expect(keys.forValues({ a: 2 })).toBe("k3");
  });
});

describe("randomKey", () => {
  it("makes a v4 UUID even without crypto.randomUUID", () => {
    const original = crypto.randomUUID;
    try {
      Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
      expect(randomKey()).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    } finally {
      Object.defineProperty(crypto, "randomUUID", { value: original, configurable: true });
    }
  });
});
