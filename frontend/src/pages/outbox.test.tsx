import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderWithProviders } from "../test/utils";
import { OutboxPage } from "./outbox";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("OutboxPage", () => {
  it("lists messages with clickable links", async () => {
    mockFetch(() => ({
      status: 200,
      body: [
        {
          body: "Verify: http://localhost:8000/verify/seller?token=abc",
          channel: "email",
          created_at: "2026-12-02T00:00:00Z",
          html: null,
          language: "en",
          recipient: "s@example.com",
          shipment_id: null,
          subject: "Verify your email",
          template: "verify_email",
        },
      ],
    }));
    renderWithProviders(<OutboxPage />);
    const link = await screen.findByRole("link", { name: /verify\/seller/ });
    expect(link).toHaveAttribute("href", "http://localhost:8000/verify/seller?token=abc");
    expect(screen.getByText("verify_email")).toBeInTheDocument();
  });

  it("says it is not available on 404", async () => {
    mockFetch(() => ({ status: 404, body: { title: "Not Found", status: 404, detail: "x" } }));
    renderWithProviders(<OutboxPage />);
    expect(await screen.findByText(/not available/)).toBeInTheDocument();
  });
});
