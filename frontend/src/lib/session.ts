/**
 * The web session: the access token itself is in an httpOnly cookie that no script can read; the
 * app keeps only the role and the session's CSRF token (sent back with every change), in memory
 * and in sessionStorage, so a reload within the tab stays logged in.
 */
export type Role = "seller" | "partner";
export type Session = { role: Role; csrf: string };

const KEY = "fastship.session";
let current: Session | null | undefined;
const listeners = new Set<() => void>();

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (
      (parsed.role === "seller" || parsed.role === "partner") &&
      typeof parsed.csrf === "string"
    ) {
      return { role: parsed.role, csrf: parsed.csrf };
    }
  } catch {
    // ignore malformed storage
  }
  return null;
}

export function getSession(): Session | null {
  if (current === undefined) current = read();
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  try {
    if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
    else sessionStorage.removeItem(KEY);
  } catch {
    // ignore
  }
  for (const listener of listeners) listener();
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function isRole(value: string): value is Role {
  return value === "seller" || value === "partner";
}
