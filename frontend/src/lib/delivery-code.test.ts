import { describe, expect, it } from "vitest";
import { deliveryCodeOutcome } from "./delivery-code";
import { ApiError } from "./problem";

describe("deliveryCodeOutcome", () => {
  it("reads tries_left from a 422", () => {
    const error = new ApiError(422, { title: "Wrong code", detail: "Wrong code", tries_left: 3 });
    expect(deliveryCodeOutcome(error)).toEqual({ kind: "wrong", triesLeft: 3 });
  });
  it("treats no tries left and a locked 409 as locked", () => {
    expect(
      deliveryCodeOutcome(new ApiError(422, { title: "x", detail: "x", tries_left: 0 })),
    ).toEqual({ kind: "locked" });
    expect(
      deliveryCodeOutcome(
        new ApiError(409, { title: "Conflict", detail: "The delivery code is locked" }),
      ),
    ).toEqual({ kind: "locked" });
  });
  it("passes other refusals through", () => {
    expect(
      deliveryCodeOutcome(new ApiError(409, { title: "Conflict", detail: "Already delivered" })),
    ).toEqual({
      kind: "other",
      message: "Already delivered",
    });
  });
});
