import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getSession } from "../../lib/session";
import { mockFetch, renderInRouter } from "../../test/utils";
import { PartnerSignup, parseZips, SellerLogin, Verify } from "./index";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("parseZips", () => {
  it("splits on commas and spaces", () => {
    expect(parseZips("10001, 10002 10003;;")).toEqual(["10001", "10002", "10003"]);
  });
});

describe("partner signup", () => {
  it("puts the API's 422 on the zip codes field", async () => {
    mockFetch(() => ({
      status: 422,
      body: {
        title: "Unprocessable",
        status: 422,
        detail: "1 invalid field",
        errors: [
          {
            location: "body.serviceable_zip_codes.0",
            message: "Unknown zip code",
            type: "value_error",
          },
        ],
      },
    }));
    const user = userEvent.setup();
    renderInRouter(<PartnerSignup />);
    await user.type(await screen.findByLabelText("Name"), "Pat");
    await user.type(screen.getByLabelText("Email"), "pat@example.com");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.type(screen.getByLabelText("Zip codes you serve"), "10001");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    const zips = screen.getByLabelText("Zip codes you serve");
    await waitFor(() => expect(zips).toHaveAttribute("aria-invalid", "true"));
    expect(zips).toHaveAccessibleDescription("Unknown zip code");
  });
});

describe("login", () => {
  it("starts a cookie session and keeps only its CSRF token", async () => {
    mockFetch((req) => {
      if (req.url.endsWith("/session"))
        return { status: 200, body: { role: "seller", csrf_token: "C1", expires_in: 60 } };
      return { status: 200, body: { language: "es", name: "S", email: "s@example.com" } };
    });
    const user = userEvent.setup();
    const { router } = renderInRouter(<SellerLogin />, { path: "/seller/login" });
    await user.type(await screen.findByLabelText("Email"), "s@example.com");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByRole("button", { name: "Log in" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/seller"));
    expect(getSession()).toEqual({ role: "seller", csrf: "C1" });
    expect(sessionStorage.getItem("fastship.session")).toContain("C1");
  });

  it("says so when the password is wrong", async () => {
    mockFetch(() => ({ status: 401, body: { title: "Unauthorized", status: 401, detail: "bad" } }));
    const user = userEvent.setup();
    renderInRouter(<SellerLogin />, { path: "/seller/login" });
    await user.type(await screen.findByLabelText("Email"), "s@example.com");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Email or password is wrong");
  });
});

describe("verify", () => {
  it("posts the token once and confirms", async () => {
    const fetch = mockFetch(() => ({ status: 204 }));
    renderInRouter(<Verify role="partner" token="abc" />);
    expect(
      await screen.findByText("Your email is verified. You can log in now."),
    ).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
