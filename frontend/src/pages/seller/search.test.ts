import { describe, expect, it } from "vitest";
import { parseShipmentSearch, toListQuery } from "./search";

describe("parseShipmentSearch", () => {
  it("keeps only valid filters", () => {
    expect(
      parseShipmentSearch({
        status: "in_transit",
        tag: "nope",
        destination_zip: " 10001 ",
        q: "",
        created_after: "2026-12-01",
        created_before: "yesterday",
        attention: "true",
      }),
    ).toEqual({
      status: "in_transit",
      destination_zip: "10001",
      created_after: "2026-12-01",
      attention: true,
    });
  });
});

describe("toListQuery", () => {
  it("turns dates into an inclusive UTC range", () => {
    expect(
      toListQuery({ created_after: "2026-12-01", created_before: "2026-12-31", q: "mug" }),
    ).toEqual({
      created_after: "2026-12-01T00:00:00Z",
      created_before: "2027-01-01T00:00:00Z",
      q: "mug",
    });
  });

  it("asks for last changed first only when chosen (newest first is the API's default)", () => {
    expect(toListQuery(parseShipmentSearch({ sort: "updated" }))).toEqual({ sort: "updated" });
    expect(toListQuery(parseShipmentSearch({ sort: "created" }))).toEqual({});
    expect(toListQuery(parseShipmentSearch({ sort: "oldest" }))).toEqual({});
  });

  it("asks the API for the shipments needing attention", () => {
    expect(toListQuery({ attention: true })).toEqual({ needs_attention: true });
  });
});
