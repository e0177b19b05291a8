import type { Translate } from "../i18n";

// The descriptions the system writes itself, in English (models/descriptions.py; a server test
// checks that each one is here). A partner's or seller's own note is shown as written.
const PLACED = "Shipment placed";
const ASSIGNED_PREFIX = "Assigned to delivery partner ";
const NO_PARTNER = "No delivery partner had room before the deadline";
const CANCELLED_BY_SELLER = "Cancelled by the seller";

/** A timeline event's description in the reader's language. */
export function describeEvent(description: string, t: Translate): string {
  if (description === PLACED) return t("event.placed");
  if (description === NO_PARTNER) return t("event.noPartner");
  if (description === CANCELLED_BY_SELLER) return t("event.cancelledBySeller");
  if (description.startsWith(ASSIGNED_PREFIX)) {
    return t("event.assigned", { partner: description.slice(ASSIGNED_PREFIX.length) });
  }
  return description;
}
