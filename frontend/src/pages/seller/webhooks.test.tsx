import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderInRouter } from "../../test/utils";
import { lastAnswer, WebhooksPage } from "./webhooks";

afterEach(() => {
  vi.unstubAllGlobals();
});

const ENDPOINT = {
  id: "22222222-2222-2222-2222-222222222222",
  url: "https://hooks.example.com/fs",
  event_types: ["shipment.delivered"],
  created_at: "2026-01-01T10:00:00Z",
  verified: true,
  verified_at: "2026-01-01T10:00:01Z",
};

describe("WebhooksPage", () => {
  it("maps a 422 on body.url onto the URL field", async () => {
    mockFetch((req) =>
      req.method === "POST"
        ? {
            status: 422,
            body: {
              title: "Unprocessable Content",
              status: 422,
              detail: "invalid",
              errors: [{ location: "body.url", message: "Resolves to a private address" }],
            },
          }
        : { status: 200, body: [] },
    );
    const user = userEvent.setup();
    renderInRouter(<WebhooksPage />, { path: "/seller/webhooks" });
    expect(await screen.findByText("No endpoints yet.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Endpoint URL"), "https://10.0.0.1/hook");
    await user.click(screen.getByLabelText("shipment.placed"));
    await user.click(screen.getByRole("button", { name: "Register endpoint" }));
    const url = screen.getByLabelText("Endpoint URL");
    await waitFor(() => expect(url).toHaveAccessibleDescription("Resolves to a private address"));
    expect(url).toHaveAttribute("aria-invalid", "true");
  });

  it("requires an event type and shows the limit's detail", async () => {
    mockFetch((req) =>
      req.method === "POST"
        ? { status: 422, body: { title: "x", status: 422, detail: "At most 10 endpoints" } }
        : { status: 200, body: [] },
    );
    const user = userEvent.setup();
    renderInRouter(<WebhooksPage />, { path: "/seller/webhooks" });
    await user.type(await screen.findByLabelText("Endpoint URL"), "https://a.example.com/h");
    await user.click(screen.getByRole("button", { name: "Register endpoint" }));
    expect(await screen.findByText("Choose at least one event.")).toBeInTheDocument();
    await user.click(screen.getByLabelText("shipment.delivered"));
    await user.click(screen.getByRole("button", { name: "Register endpoint" }));
    expect(await screen.findByText("At most 10 endpoints")).toBeInTheDocument();
  });

  it("shows the signing secret once, until dismissed", async () => {
    let registered = false;
    const fetch = mockFetch(async (req) => {
      if (req.method === "POST") {
        expect(await req.json()).toEqual({
          url: ENDPOINT.url,
          event_types: ["shipment.delivered"],
        });
        registered = true;
        return {
          status: 201,
          body: { ...ENDPOINT, secret: "whsec_abc123", verification_error: null },
        };
      }
      return { status: 200, body: registered ? [ENDPOINT] : [] };
    });
    const user = userEvent.setup();
    renderInRouter(<WebhooksPage />, { path: "/seller/webhooks" });
    await user.type(await screen.findByLabelText("Endpoint URL"), ENDPOINT.url);
    await user.click(screen.getByLabelText("shipment.delivered"));
    await user.click(screen.getByRole("button", { name: "Register endpoint" }));
    const secret = await screen.findByLabelText("Signing secret");
    expect(secret).toHaveValue("whsec_abc123");
    expect(screen.getByText("Copy it now: it will not be shown again.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy secret" })).toBeInTheDocument();
    const item = await screen.findByRole("link", { name: `Delivery log for ${ENDPOINT.url}` });
    expect(within(item.closest("li") as HTMLElement).getByText("Verified")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "I have saved the secret" }));
    expect(screen.queryByLabelText("Signing secret")).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain("whsec_abc123");
    expect(fetch).toHaveBeenCalled();
  });
});

describe("lastAnswer", () => {
  it("shows a delivered webhook's status without an empty error before it", () => {
    expect(lastAnswer({ last_error: null, last_response_status: 204 })).toBe("HTTP 204");
    expect(lastAnswer({ last_error: "Server error", last_response_status: 500 })).toBe(
      "Server error (HTTP 500)",
    );
    expect(lastAnswer({ last_error: "Connection refused", last_response_status: null })).toBe(
      "Connection refused",
    );
    expect(lastAnswer({ last_error: null, last_response_status: null })).toBe("—");
  });
});
