import type { ShipmentStatus } from "../client/types.gen";

/** What a partner may do next, per the lifecycle's transition table. */
export type PartnerAction =
  | "pick_up" // placed -> in_transit
  | "scan" // in_transit: location scan, no status change
  | "out_for_delivery" // in_transit -> out_for_delivery
  | "deliver" // out_for_delivery -> delivered (code required)
  | "failed_attempt"; // out_for_delivery -> in_transit (reason required)

const PARTNER_ACTIONS: Record<ShipmentStatus, readonly PartnerAction[]> = {
  placed: ["pick_up"],
  in_transit: ["scan", "out_for_delivery"],
  out_for_delivery: ["deliver", "failed_attempt"],
  delivered: [],
  cancelled: [],
};

export function partnerActions(status: ShipmentStatus): readonly PartnerAction[] {
  return PARTNER_ACTIONS[status];
}

/** A seller may cancel only from placed or in_transit. */
export function sellerCanCancel(status: ShipmentStatus): boolean {
  return status === "placed" || status === "in_transit";
}

export function isFinal(status: ShipmentStatus): boolean {
  return status === "delivered" || status === "cancelled";
}

/** Whether the shipment counts against the partner's capacity. */
export function isActive(status: ShipmentStatus): boolean {
  return !isFinal(status);
}

/** The body to POST to /shipment/{id}/events for an action. */
export function eventBody(
  action: PartnerAction,
  input: { zip?: string; description?: string; code?: string } = {},
): {
  status?: ShipmentStatus;
  location_zip?: string;
  description?: string;
  verification_code?: string;
} {
  const extra = {
    ...(input.zip ? { location_zip: input.zip } : {}),
    ...(input.description ? { description: input.description } : {}),
  };
  switch (action) {
    case "pick_up":
      return { status: "in_transit", ...extra };
    case "scan":
      return { ...extra };
    case "out_for_delivery":
      return { status: "out_for_delivery", ...extra };
    case "deliver":
      return { status: "delivered", verification_code: input.code, ...extra };
    case "failed_attempt":
      return { status: "in_transit", ...extra };
  }
}

export const STEPS = ["placed", "in_transit", "out_for_delivery", "delivered"] as const;
export type Step = (typeof STEPS)[number];

export type StepperState = {
  /** Index in STEPS of the step reached (the current one). */
  current: number;
  cancelled: boolean;
  /** The last delivery attempt failed and the parcel is back in transit. */
  failedAttempt: boolean;
};

/**
 * Where the stepper stands. `timeline` is newest first, as the API returns it.
 * A failed attempt is an in_transit that follows an out_for_delivery.
 */
export function stepperState(
  status: ShipmentStatus,
  timeline: readonly { status: ShipmentStatus }[],
): StepperState {
  const chronological = [...timeline].reverse();
  const statusChanges: ShipmentStatus[] = [];
  for (const event of chronological) {
    if (statusChanges[statusChanges.length - 1] !== event.status) statusChanges.push(event.status);
  }
  if (status === "cancelled") {
    const before = statusChanges.filter((s) => s !== "cancelled");
    const last = before[before.length - 1];
    const reached = last ? STEPS.indexOf(last as Step) : 0;
    return { current: Math.max(reached, 0), cancelled: true, failedAttempt: false };
  }
  const lastOut = statusChanges.lastIndexOf("out_for_delivery");
  const failedAttempt =
    status === "in_transit" &&
    lastOut >= 0 &&
    statusChanges.slice(lastOut + 1).includes("in_transit");
  return { current: STEPS.indexOf(status as Step), cancelled: false, failedAttempt };
}
