import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderWithProviders } from "../test/utils";
import { ReviewView } from "./review";

afterEach(() => {
  vi.unstubAllGlobals();
});

const form = { content: "Blue mug", partner_name: "Speedy", delivered: true, review: null };

describe("ReviewView", () => {
  it("sends the chosen rating and comment once", async () => {
    const posted: unknown[] = [];
    mockFetch(async (req) => {
      if (req.method === "POST") {
        posted.push(await req.json());
        return {
          status: 201,
          body: { rating: 4, comment: "Nice", created_at: "2026-12-02T00:00:00Z" },
        };
      }
      return { status: 200, body: form };
    });
    const user = userEvent.setup();
    renderWithProviders(<ReviewView token="tok" />);
    await user.click(await screen.findByRole("radio", { name: "4 stars" }));
    await user.type(screen.getByLabelText("Comment (optional)"), "Nice");
    await user.click(screen.getByRole("button", { name: "Send review" }));
    expect(await screen.findByText("Thank you for your review!")).toBeInTheDocument();
    expect(posted).toEqual([{ rating: 4, comment: "Nice" }]);
  });

  it("asks for a rating before sending", async () => {
    const fetch = mockFetch(() => ({ status: 200, body: form }));
    const user = userEvent.setup();
    renderWithProviders(<ReviewView token="tok" />);
    await user.click(await screen.findByRole("button", { name: "Send review" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Choose a rating");
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("shows an existing review", async () => {
    mockFetch(() => ({
      status: 200,
      body: { ...form, review: { rating: 5, comment: null, created_at: "2026-12-02T00:00:00Z" } },
    }));
    renderWithProviders(<ReviewView token="tok" />);
    expect(await screen.findByText("This delivery has already been reviewed.")).toBeInTheDocument();
    expect(screen.queryByRole("radiogroup")).not.toBeInTheDocument();
  });

  it("shows the expired state for an unknown link", async () => {
    mockFetch(() => ({ status: 404, body: { title: "Not Found", status: 404, detail: "x" } }));
    renderWithProviders(<ReviewView token="bad" />);
    expect(
      await screen.findByRole("heading", { name: "This review link is invalid or has expired" }),
    ).toBeInTheDocument();
  });
});
