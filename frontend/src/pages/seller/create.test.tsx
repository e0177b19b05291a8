import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderInRouter } from "../../test/utils";
import { CreateShipmentPage } from "./create";

afterEach(() => {
  vi.unstubAllGlobals();
});

async function fill(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText("Content"), "Blue mug");
  await user.type(screen.getByLabelText("Weight (kg)"), "2");
  await user.type(screen.getByLabelText("Destination zip"), "10001");
  await user.type(screen.getByLabelText("Recipient email"), "r@example.com");
}

describe("CreateShipmentPage", () => {
  it("shows the API's 422 on the field its location names", async () => {
    mockFetch(() => ({
      status: 422,
      body: {
        title: "Unprocessable Content",
        status: 422,
        detail: "invalid",
        errors: [
          {
            location: "body.destination_zip",
            message: "No partner serves 10001",
            type: "no_partner",
          },
        ],
      },
    }));
    const user = userEvent.setup();
    renderInRouter(<CreateShipmentPage />, { path: "/seller/new" });
    await fill(user);
    await user.click(screen.getByRole("button", { name: "Create shipment" }));
    const zip = screen.getByLabelText("Destination zip");
    await waitFor(() => expect(zip).toHaveAccessibleDescription("No partner serves 10001"));
    expect(zip).toHaveAttribute("aria-invalid", "true");
  });

  it("sends one Idempotency-Key for a double click", async () => {
    const keys: (string | null)[] = [];
    mockFetch(async (req) => {
      keys.push(req.headers.get("Idempotency-Key"));
      await new Promise((r) => setTimeout(r, 50));
      return { status: 201, body: { id: "11111111-1111-1111-1111-111111111111" } };
    });
    const user = userEvent.setup();
    renderInRouter(<CreateShipmentPage />, { path: "/seller/new" });
    await fill(user);
    const button = screen.getByRole("button", { name: "Create shipment" });
    await user.dblClick(button);
    await waitFor(() => expect(keys.length).toBeGreaterThan(0));
    await new Promise((r) => setTimeout(r, 100));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
