import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TrackingRead } from "../client/types.gen";
import { ApiError } from "../lib/problem";
import { mockFetch, renderWithProviders } from "../test/utils";
import { TRACK_POLL_MS, TrackPage, trackingQueryOptions } from "./track";

afterEach(() => {
  vi.unstubAllGlobals();
});

const inTransit: TrackingRead = {
  status: "in_transit",
  partner_name: "Speedy Couriers",
  estimated_delivery: "2026-12-05T12:00:00Z",
  timeline: [
    {
      status: "in_transit",
      location_zip: "10002",
      description: "Sorted at hub",
      occurred_at: "2026-12-02T10:00:00Z",
    },
    {
      status: "placed",
      location_zip: null,
      description: null,
      occurred_at: "2026-12-01T09:00:00Z",
    },
  ],
};

describe("TrackPage", () => {
  it("shows status, partner, estimate and timeline places", async () => {
    mockFetch(() => ({ status: 200, body: inTransit }));
    renderWithProviders(<TrackPage code="abc" />);
    expect(
      await screen.findByRole("heading", { level: 1, name: "In transit" }),
    ).toBeInTheDocument();
    expect(screen.getByText("Speedy Couriers")).toBeInTheDocument();
    expect(screen.getByText(/Near zip 10002/)).toBeInTheDocument();
    expect(screen.getByText("Sorted at hub")).toBeInTheDocument();
    const current = screen.getByRole("listitem", { current: "step" });
    expect(current).toHaveTextContent("In transit");
  });

  it("shows a failed attempt as such", async () => {
    mockFetch(() => ({
      status: 200,
      body: {
        ...inTransit,
        timeline: [
          {
            status: "in_transit",
            location_zip: null,
            description: "Nobody home",
            occurred_at: "2026-12-03T10:00:00Z",
          },
          {
            status: "out_for_delivery",
            location_zip: null,
            description: null,
            occurred_at: "2026-12-03T08:00:00Z",
          },
          ...inTransit.timeline,
        ],
      },
    }));
    renderWithProviders(<TrackPage code="abc" />);
    expect(
      await screen.findByRole("heading", { level: 1, name: "Delivery attempt failed" }),
    ).toBeInTheDocument();
  });

  it("shows a friendly not-found state", async () => {
    mockFetch(() => ({
      status: 404,
      body: {
        type: "about:blank",
        title: "Not Found",
        status: 404,
        detail: "No such tracking code",
      },
    }));
    renderWithProviders(<TrackPage code="nope" />);
    expect(
      await screen.findByRole("heading", { name: "We can't find this parcel" }),
    ).toBeInTheDocument();
  });

  it("never shows contact details even if the API sent them", async () => {
    mockFetch(() => ({
      status: 200,
      body: { ...inTransit, client_contact_email: "x@example.com" },
    }));
    renderWithProviders(<TrackPage code="abc" />);
    await screen.findByText("Speedy Couriers");
    expect(screen.queryByText(/x@example.com/)).not.toBeInTheDocument();
  });

  it("speaks Spanish", async () => {
    mockFetch(() => ({ status: 200, body: inTransit }));
    renderWithProviders(<TrackPage code="abc" />, { lang: "es" });
    expect(
      await screen.findByRole("heading", { level: 1, name: "En tránsito" }),
    ).toBeInTheDocument();
  });
});

describe("tracking poll", () => {
  const interval = (data?: Partial<TrackingRead>, error: unknown = null) =>
    (trackingQueryOptions("c").refetchInterval as (q: unknown) => number | false)({
      state: { data, error },
    });

  it("polls every 5 s until the shipment is final", () => {
    expect(interval({ status: "in_transit" })).toBe(TRACK_POLL_MS);
    expect(TRACK_POLL_MS).toBe(5000);
    expect(interval({ status: "delivered" })).toBe(false);
    expect(interval({ status: "cancelled" })).toBe(false);
  });

  it("stops on 404 but keeps trying after other errors", () => {
    expect(interval(undefined, new ApiError(404, { title: "Not Found", detail: "x" }))).toBe(false);
    expect(interval(undefined, new ApiError(503, { title: "Unavailable", detail: "x" }))).toBe(
      TRACK_POLL_MS,
    );
  });

  it("shows a change on the next poll without a reload", async () => {
    let status: TrackingRead["status"] = "in_transit";
    mockFetch(() => ({ status: 200, body: { ...inTransit, status } }));
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      renderWithProviders(<TrackPage code="abc" />);
      expect(
        await screen.findByRole("heading", { level: 1, name: "In transit" }),
      ).toBeInTheDocument();
      status = "out_for_delivery";
      await vi.advanceTimersByTimeAsync(TRACK_POLL_MS + 100);
      expect(
        await screen.findByRole("heading", { level: 1, name: "Out for delivery" }),
      ).toBeInTheDocument();
      expect(screen.getByText("Status updated: Out for delivery")).toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });
});
