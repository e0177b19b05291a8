import { describe, expect, it } from "vitest";
import { fieldFromLocation, mapProblemToFields } from "./problem";

describe("fieldFromLocation", () => {
  it("strips the body prefix", () => {
    expect(fieldFromLocation("body.weight")).toBe("weight");
  });
  it("drops list indexes", () => {
    expect(fieldFromLocation("body.tags.2")).toBe("tags");
    expect(fieldFromLocation("body.serviceable_zip_codes.0")).toBe("serviceable_zip_codes");
  });
  it("handles query and unprefixed locations", () => {
    expect(fieldFromLocation("query.status")).toBe("status");
    expect(fieldFromLocation("email")).toBe("email");
  });
  it("returns null for the whole body", () => {
    expect(fieldFromLocation("body")).toBeNull();
    expect(fieldFromLocation("")).toBeNull();
  });
});

describe("mapProblemToFields", () => {
  const fields = ["content", "weight", "destination_zip"] as const;

  it("puts each issue on its field", () => {
    const result = mapProblemToFields(
      {
        detail: "2 invalid fields",
        errors: [
          { location: "body.weight", message: "must be at most 25", type: "less_than_equal" },
          { location: "body.destination_zip", message: "no partner serves this zip" },
        ],
      },
      fields,
    );
    expect(result.fieldErrors).toEqual({
      weight: "must be at most 25",
      destination_zip: "no partner serves this zip",
    });
    expect(result.formErrors).toEqual([]);
  });

  it("keeps issues for unknown fields as form errors", () => {
    const result = mapProblemToFields(
      { detail: "x", errors: [{ location: "body", message: "Idempotency-Key reused" }] },
      fields,
    );
    expect(result.fieldErrors).toEqual({});
    expect(result.formErrors).toEqual(["Idempotency-Key reused"]);
  });

  it("falls back on the detail when there are no errors", () => {
    const result = mapProblemToFields({ detail: "No partner serves 99999" }, fields);
    expect(result.formErrors).toEqual(["No partner serves 99999"]);
  });

  it("joins two issues on one field", () => {
    const result = mapProblemToFields(
      {
        detail: "x",
        errors: [
          { location: "body.content", message: "too long." },
          { location: "body.content", message: "has a NUL." },
        ],
      },
      fields,
    );
    expect(result.fieldErrors.content).toBe("too long. has a NUL.");
  });
});
