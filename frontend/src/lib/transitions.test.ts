import { describe, expect, it } from "vitest";
import type { ShipmentStatus } from "../client/types.gen";
import { eventBody, partnerActions, sellerCanCancel, stepperState } from "./transitions";

const tl = (...statuses: ShipmentStatus[]) => statuses.map((status) => ({ status })).reverse();

describe("partnerActions", () => {
  it("follows the transition table", () => {
    expect(partnerActions("placed")).toEqual(["pick_up"]);
    expect(partnerActions("in_transit")).toEqual(["scan", "out_for_delivery"]);
    expect(partnerActions("out_for_delivery")).toEqual(["deliver", "failed_attempt"]);
    expect(partnerActions("delivered")).toEqual([]);
    expect(partnerActions("cancelled")).toEqual([]);
  });
});

describe("sellerCanCancel", () => {
  it("allows cancel only from placed and in_transit", () => {
    expect(sellerCanCancel("placed")).toBe(true);
    expect(sellerCanCancel("in_transit")).toBe(true);
    expect(sellerCanCancel("out_for_delivery")).toBe(false);
    expect(sellerCanCancel("delivered")).toBe(false);
    expect(sellerCanCancel("cancelled")).toBe(false);
  });
});

describe("eventBody", () => {
  it("builds each action's request", () => {
    expect(eventBody("pick_up")).toEqual({ status: "in_transit" });
    expect(eventBody("scan", { zip: "10001", description: "hub" })).toEqual({
      location_zip: "10001",
      description: "hub",
    });
    expect(eventBody("deliver", { code: "123456" })).toEqual({
      status: "delivered",
      verification_code: "123456",
    });
    expect(eventBody("failed_attempt", { description: "nobody home" })).toEqual({
      status: "in_transit",
      description: "nobody home",
    });
  });
});

describe("stepperState", () => {
  it("marks the current step", () => {
    expect(stepperState("placed", tl("placed"))).toEqual({
      current: 0,
      cancelled: false,
      failedAttempt: false,
    });
    expect(
      stepperState("delivered", tl("placed", "in_transit", "out_for_delivery", "delivered")),
    ).toMatchObject({ current: 3, failedAttempt: false });
  });

  it("detects a failed attempt (in_transit after out_for_delivery)", () => {
    const state = stepperState(
      "in_transit",
      tl("placed", "in_transit", "in_transit", "out_for_delivery", "in_transit"),
    );
    expect(state).toEqual({ current: 1, cancelled: false, failedAttempt: true });
  });

  it("does not call scans a failed attempt", () => {
    expect(stepperState("in_transit", tl("placed", "in_transit", "in_transit")).failedAttempt).toBe(
      false,
    );
  });

  it("shows a cancelled shipment where it stopped", () => {
    expect(stepperState("cancelled", tl("placed", "in_transit", "cancelled"))).toEqual({
      current: 1,
      cancelled: true,
      failedAttempt: false,
    });
  });
});
