import { afterEach, describe, expect, it, vi } from "vitest";
import { getSellerMe, updateSellerMe } from "../client/sdk.gen";
import { mockFetch } from "../test/utils";
import { call, setUnauthorizedHandler } from "./api";
import { ApiError } from "./problem";
import { getSession, setSession } from "./session";

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

describe("call", () => {
  it("sends no token (the cookie carries it) and the CSRF token with changes only", async () => {
    setSession({ role: "seller", csrf: "abc" });
    const sent: { method: string; auth: string | null; csrf: string | null }[] = [];
    mockFetch((req) => {
      sent.push({
        method: req.method,
        auth: req.headers.get("Authorization"),
        csrf: req.headers.get("X-CSRF-Token"),
      });
      return { status: 200, body: { name: "S" } };
    });
    await expect(call(getSellerMe())).resolves.toEqual({ name: "S" });
    await call(updateSellerMe({ body: { name: "T" } }));
    expect(sent).toEqual([
      { method: "GET", auth: null, csrf: null },
      { method: "PATCH", auth: null, csrf: "abc" },
    ]);
  });

  it("drops the session and reports the role on 401", async () => {
    setSession({ role: "seller", csrf: "old" });
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    mockFetch(() => ({
      status: 401,
      body: { title: "Unauthorized", status: 401, detail: "expired" },
    }));
    const error = await call(getSellerMe()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(getSession()).toBeNull();
    expect(handler).toHaveBeenCalledWith("seller");
  });

  it("keeps problem fields such as errors and tries_left", async () => {
    mockFetch(() => ({
      status: 422,
      body: {
        title: "x",
        status: 422,
        detail: "d",
        tries_left: 2,
        errors: [{ location: "body.a", message: "m" }],
      },
    }));
    const error = (await call(getSellerMe()).catch((e: unknown) => e)) as ApiError;
    expect(error.problem.tries_left).toBe(2);
    expect(error.problem.errors?.[0].location).toBe("body.a");
  });
});
