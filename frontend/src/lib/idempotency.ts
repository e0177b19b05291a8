/**
 * One Idempotency-Key per intended create: the same key is reused for every submit of the same
 * values (a double click or a retry after a network error), and a new one is made once the values
 * change or the create succeeded.
 */
/** crypto.randomUUID where the page is a secure context; the same v4 UUID by hand elsewhere. */
export function randomKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class IdempotencyKeys {
  private key: string | null = null;
  private fingerprint: string | null = null;

  constructor(private readonly make: () => string = randomKey) {}

  forValues(values: unknown): string {
    const fingerprint = JSON.stringify(values);
    if (this.key === null || fingerprint !== this.fingerprint) {
      this.key = this.make();
      this.fingerprint = fingerprint;
    }
    return this.key;
  }

  /** Call after a success: the next create is a new one. */
  reset(): void {
    this.key = null;
    this.fingerprint = null;
  }
}
