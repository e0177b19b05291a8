import { ApiError, isApiError } from "./problem";

export type CodeOutcome =
  | { kind: "wrong"; triesLeft: number }
  | { kind: "locked" }
  | { kind: "other"; message: string };

/** How a refused delivery confirmation reads: wrong code (n tries left), locked, or another error. */
export function deliveryCodeOutcome(error: unknown): CodeOutcome {
  if (isApiError(error, 422)) {
    const left = error.problem.tries_left;
    if (typeof left === "number")
      return left > 0 ? { kind: "wrong", triesLeft: left } : { kind: "locked" };
  }
  if (
    isApiError(error, 409) &&
    /lock|too many|attempt/i.test(`${error.problem.title} ${error.problem.detail}`)
  ) {
    return { kind: "locked" };
  }
  const message = error instanceof ApiError ? error.problem.detail : String(error);
  return { kind: "other", message };
}
