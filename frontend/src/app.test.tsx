import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createMemoryHistory, RouterProvider } from "@tanstack/react-router";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "./i18n";
import { setSession } from "./lib/session";
import { makeRouter } from "./router";
import { mockFetch } from "./test/utils";

afterEach(() => {
  vi.unstubAllGlobals();
});

function renderApp(path: string) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = makeRouter(queryClient, createMemoryHistory({ initialEntries: [path] }));
  render(
    <I18nProvider initial="en">
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </I18nProvider>,
  );
  return router;
}

const summary = (id: string, status: string, needs_attention = false) => ({
  id,
  content: `Parcel ${id}`,
  created_at: "2026-12-01T00:00:00Z",
  destination_zip: "10001",
  estimated_delivery: "2026-12-04T00:00:00Z",
  needs_attention,
  partner: null,
  status,
  tags: [],
  updated_at: "2026-12-01T00:00:00Z",
  weight: 1,
});

describe("app routes", () => {
  it("sends a visitor without a session to the login page and back", async () => {
    const router = renderApp("/seller?status=placed");
    await waitFor(() => expect(router.state.location.pathname).toBe("/seller/login"));
    expect(router.state.location.search).toMatchObject({ redirect: "/seller?status=placed" });
    expect(await screen.findByRole("heading", { name: "Seller log in" })).toBeInTheDocument();
  });

  it("filters the seller list from a status card, keeping it in the URL", async () => {
    setSession({ role: "seller", csrf: "t" });
    const queries: string[] = [];
    mockFetch((req) => {
      const url = new URL(req.url);
      if (url.pathname.endsWith("/counts")) {
        const by_status = { placed: 1, in_transit: 1, out_for_delivery: 0, delivered: 0 };
        return {
          status: 200,
          body: { by_status: { ...by_status, cancelled: 0 }, needs_attention: 1, total: 2 },
        };
      }
      queries.push(url.search);
      const status = url.searchParams.get("status");
      const all = [summary("a", "placed"), summary("b", "in_transit", true)];
      return {
        status: 200,
        body: {
          items: status ? all.filter((s) => s.status === status) : all,
          next_cursor: null,
          next: null,
        },
      };
    });
    const user = userEvent.setup();
    const router = renderApp("/seller");
    expect(await screen.findByRole("link", { name: "Parcel b" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "In transit 1" }));
    await waitFor(() =>
      expect(router.state.location.search).toMatchObject({ status: "in_transit" }),
    );
    await waitFor(() =>
      expect(screen.queryByRole("link", { name: "Parcel a" })).not.toBeInTheDocument(),
    );
    expect(queries.some((q) => q.includes("status=in_transit") && q.includes("limit=20"))).toBe(
      true,
    );
  });

  it("renders the public tracking route without a session", async () => {
    mockFetch(() => ({
      status: 200,
      body: {
        status: "placed",
        partner_name: null,
        estimated_delivery: "2026-12-04T00:00:00Z",
        timeline: [],
      },
    }));
    renderApp("/track/xyz");
    expect(
      await screen.findByRole("heading", { level: 1, name: "Order placed" }),
    ).toBeInTheDocument();
    expect(screen.getByText("A delivery partner is being assigned")).toBeInTheDocument();
  });
});
