import { describe, expect, it } from "vitest";
import { actorKey } from "./timeline";

describe("actorKey", () => {
  it("names who made a change without their ids", () => {
    expect(actorKey("partner:9c234d17-6a80-4e5b-ae82-83cda65a80b3")).toBe("actor.partner");
    expect(actorKey("seller:f7ef84a1")).toBe("actor.seller");
    expect(actorKey("system")).toBe("actor.system");
  });
});
