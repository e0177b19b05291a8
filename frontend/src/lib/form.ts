import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import { isApiError, mapProblemToFields } from "./problem";

/**
 * Show an API refusal on a react-hook-form form: 422 issues on their fields (by
 * `errors[].location`), everything else as the form's root error.
 */
export function applyApiError<T extends FieldValues>(
  error: unknown,
  fields: readonly Path<T>[],
  setError: UseFormSetError<T>,
  fallback: string,
  aliases: Record<string, Path<T>> = {},
): void {
  if (isApiError(error) && error.status === 422 && error.problem.errors?.length) {
    const names = [...fields, ...Object.keys(aliases)] as string[];
    const { fieldErrors, formErrors } = mapProblemToFields(error.problem, names);
    let first = true;
    for (const [field, message] of Object.entries(fieldErrors)) {
      const target = (aliases[field] ?? field) as Path<T>;
      setError(target, { type: "server", message: message as string }, { shouldFocus: first });
      first = false;
    }
    if (formErrors.length) setError("root.server" as Path<T>, { message: formErrors.join(" ") });
    return;
  }
  const message = isApiError(error) && error.status > 0 ? error.problem.detail : fallback;
  setError("root.server" as Path<T>, { message });
}
