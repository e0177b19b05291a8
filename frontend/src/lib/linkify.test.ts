import { describe, expect, it } from "vitest";
import { linkify } from "./linkify";

describe("linkify", () => {
  it("finds links and keeps trailing punctuation as text", () => {
    expect(linkify("Track it at http://localhost:8000/track/abc. Thanks")).toEqual([
      { kind: "text", text: "Track it at " },
      { kind: "link", href: "http://localhost:8000/track/abc" },
      { kind: "text", text: ". Thanks" },
    ]);
  });
  it("keeps query strings", () => {
    expect(linkify("https://x.test/verify/seller?token=a.b-c")).toEqual([
      { kind: "link", href: "https://x.test/verify/seller?token=a.b-c" },
    ]);
  });
  it("returns plain text untouched", () => {
    expect(linkify("no links")).toEqual([{ kind: "text", text: "no links" }]);
  });
});
