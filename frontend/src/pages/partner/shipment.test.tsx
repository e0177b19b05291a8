import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ShipmentRead } from "../../client/types.gen";
import { mockFetch, renderInRouter } from "../../test/utils";
import { PartnerShipment } from "./shipment";

afterEach(() => {
  vi.unstubAllGlobals();
});

const base: ShipmentRead = {
  id: "s1",
  client_contact_email: "r@example.com",
  client_contact_phone: null,
  content: "Blue mug",
  created_at: "2026-12-01T00:00:00Z",
  destination_zip: "10001",
  estimated_delivery: "2026-12-04T00:00:00Z",
  needs_attention: false,
  partner: { id: "p1", name: "Speedy" },
  recipient_language: "en",
  status: "out_for_delivery",
  tags: [],
  timeline: [],
  tracking_code: "T",
  updated_at: "2026-12-01T00:00:00Z",
  weight: 2,
};

describe("PartnerShipment", () => {
  it("offers only scan and out-for-delivery while in transit", async () => {
    mockFetch(() => ({ status: 200, body: { ...base, status: "in_transit" } }));
    renderInRouter(<PartnerShipment id="s1" />);
    expect(await screen.findByRole("button", { name: "Out for delivery" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Record a location scan" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Confirm delivery" })).not.toBeInTheDocument();
  });

  it("shows tries left after a wrong code, then the lock", async () => {
    let tries = 2;
    const bodies: unknown[] = [];
    mockFetch(async (req) => {
      if (req.method === "GET") return { status: 200, body: base };
      bodies.push(await req.json());
      tries -= 1;
      return tries > 0
        ? {
            status: 422,
            body: { title: "Wrong code", status: 422, detail: "Wrong code", tries_left: tries },
          }
        : { status: 409, body: { title: "Conflict", status: 409, detail: "Delivery code locked" } };
    });
    const user = userEvent.setup();
    renderInRouter(<PartnerShipment id="s1" />);
    const code = await screen.findByLabelText("Delivery code from the recipient");
    await user.type(code, "123456");
    await user.click(screen.getByRole("button", { name: "Confirm delivery" }));
    expect(await screen.findByText("Wrong code. 1 try left.")).toBeInTheDocument();
    expect(bodies[0]).toEqual({ status: "delivered", verification_code: "123456" });
    await user.click(screen.getByRole("button", { name: "Confirm delivery" }));
    expect(await screen.findByText(/delivery confirmation is locked/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Confirm delivery" })).toBeDisabled();
  });

  it("requires a reason for a failed attempt", async () => {
    const fetch = mockFetch(() => ({ status: 200, body: base }));
    const user = userEvent.setup();
    renderInRouter(<PartnerShipment id="s1" />);
    await user.click(await screen.findByRole("button", { name: "Delivery attempt failed" }));
    expect(await screen.findByText("This field is required.")).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
