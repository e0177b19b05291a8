import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ShipmentRead } from "../../client/types.gen";
import { mockFetch, renderInRouter } from "../../test/utils";
import { ShipmentDetail } from "./detail";

afterEach(() => {
  vi.unstubAllGlobals();
});

const shipment: ShipmentRead = {
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
  status: "placed",
  tags: ["fragile"],
  timeline: [
    {
      actor: "system",
      description: null,
      location_zip: null,
      occurred_at: "2026-12-01T00:00:00Z",
      sequence: 1,
      status: "placed",
    },
  ],
  tracking_code: "TRACK123",
  updated_at: "2026-12-01T00:00:00Z",
  weight: 2,
};

describe("ShipmentDetail", () => {
  it("cancels after confirmation", async () => {
    const calls: string[] = [];
    let current = shipment;
    mockFetch((req) => {
      calls.push(`${req.method} ${new URL(req.url).pathname}`);
      if (req.url.endsWith("/cancel")) current = { ...shipment, status: "cancelled" };
      return { status: 200, body: current };
    });
    const user = userEvent.setup();
    renderInRouter(<ShipmentDetail id="s1" />);
    await user.click(await screen.findByRole("button", { name: "Cancel shipment" }));
    const dialog = await screen.findByRole("dialog", { name: "Cancel this shipment?" });
    expect(dialog).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Yes, cancel it" }));
    expect(await screen.findByText("The shipment is cancelled.")).toBeInTheDocument();
    expect(calls).toContain("POST /api/v1/shipment/s1/cancel");
    await waitFor(() =>
      expect(screen.queryByRole("button", { name: "Cancel shipment" })).not.toBeInTheDocument(),
    );
  });

  it("offers no cancel once out for delivery, and removes tags by name", async () => {
    mockFetch(() => ({ status: 200, body: { ...shipment, status: "out_for_delivery" } }));
    renderInRouter(<ShipmentDetail id="s1" />);
    expect(await screen.findByRole("button", { name: "Remove tag Fragile" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cancel shipment" })).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: /\/track\/TRACK123$/ })).toBeInTheDocument();
  });
});
