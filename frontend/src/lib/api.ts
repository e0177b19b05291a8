import { client } from "../client/client.gen";
import { ApiError, type ProblemBody } from "./problem";
import { getSession, type Role, setSession } from "./session";

type Result<T> = { data?: T; error?: unknown; response?: Response };

let onUnauthorized: ((role: Role) => void) | null = null;

/** Called with the role when an authenticated request answers 401. */
export function setUnauthorizedHandler(handler: ((role: Role) => void) | null): void {
  onUnauthorized = handler;
}

const CHANGES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

// The session cookie goes with every request to the API; changes also carry its CSRF token.
client.setConfig({ credentials: "same-origin" });
client.interceptors.request.use((request) => {
  const session = getSession();
  if (session && CHANGES.has(request.method)) request.headers.set("X-CSRF-Token", session.csrf);
  return request;
});

/** Unwrap a generated SDK call: data on success, an ApiError (with the problem) otherwise. */
export async function call<T>(promise: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await promise;
  } catch (cause) {
    throw new ApiError(0, { title: "Network error", detail: String(cause) });
  }
  const { response } = result;
  if (response?.ok) return result.data as T;
  const status = response?.status ?? 0;
  const problem =
    result.error && typeof result.error === "object" ? (result.error as ProblemBody) : undefined;
  const session = getSession();
  if (status === 401 && session && !response?.url.includes("/session")) {
    setSession(null);
    onUnauthorized?.(session.role);
  }
  throw new ApiError(status, problem);
}
