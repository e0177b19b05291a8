/** RFC 9457 problem documents as the API sends them, and how they map onto form fields. */

export type FieldIssue = { location: string; message: string; type?: string };

export type ProblemBody = {
  type?: string;
  title: string;
  status: number;
  detail: string;
  instance?: string | null;
  request_id?: string | null;
  errors?: FieldIssue[];
  tries_left?: number;
  [key: string]: unknown;
};

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemBody;

  constructor(status: number, problem: Partial<ProblemBody> | undefined) {
    const detail = problem?.detail ?? problem?.title ?? `HTTP ${status}`;
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.problem = {
      title: problem?.title ?? "Error",
      detail,
      ...problem,
      status,
    };
  }
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}

/**
 * Turn a location such as `body.weight`, `body.tags.2` or `query.status` into the form field
 * it belongs to (`weight`, `tags`, `status`). Returns null for a location naming the whole body.
 */
export function fieldFromLocation(location: string): string | null {
  const parts = location.split(".").filter((p) => p.length > 0);
  if (parts.length === 0) return null;
  const [first, ...rest] = parts;
  const scoped = ["body", "query", "path", "header", "form"].includes(first) ? rest : parts;
  const named = scoped.filter((p) => !/^\d+$/.test(p));
  return named.length > 0 ? named[0] : null;
}

/**
 * Map a 422 problem's `errors[]` onto form fields. Issues whose field is not one of `fields`
 * (or that name no field) are collected under `formErrors`, so nothing the API said is lost.
 */
export function mapProblemToFields<F extends string>(
  problem: Pick<ProblemBody, "errors" | "detail"> | undefined,
  fields: readonly F[],
): { fieldErrors: Partial<Record<F, string>>; formErrors: string[] } {
  const fieldErrors: Partial<Record<F, string>> = {};
  const formErrors: string[] = [];
  for (const issue of problem?.errors ?? []) {
    const field = fieldFromLocation(issue.location);
    if (field !== null && (fields as readonly string[]).includes(field)) {
      const key = field as F;
      fieldErrors[key] = fieldErrors[key] ? `${fieldErrors[key]} ${issue.message}` : issue.message;
    } else {
      formErrors.push(issue.message);
    }
  }
  if (Object.keys(fieldErrors).length === 0 && formErrors.length === 0 && problem?.detail) {
    formErrors.push(problem.detail);
  }
  return { fieldErrors, formErrors };
}
