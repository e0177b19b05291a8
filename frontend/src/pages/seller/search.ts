import type { ListOrder, ShipmentStatus, ShipmentTag } from "../../client/types.gen";

export const STATUSES: readonly ShipmentStatus[] = [
  "placed",
  "in_transit",
  "out_for_delivery",
  "delivered",
  "cancelled",
];

export const TAGS: readonly ShipmentTag[] = [
  "express",
  "standard",
  "fragile",
  "heavy",
  "international",
  "domestic",
  "temperature_controlled",
  "gift",
  "return",
  "documents",
];

/** The seller list's filters, as kept in the URL's search params. */
export type ShipmentSearch = {
  status?: ShipmentStatus;
  tag?: ShipmentTag;
  destination_zip?: string;
  q?: string;
  created_after?: string;
  created_before?: string;
  attention?: boolean;
  sort?: ListOrder;
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseShipmentSearch(raw: Record<string, unknown>): ShipmentSearch {
  const out: ShipmentSearch = {};
  const str = (v: unknown) =>
    typeof v === "string" || typeof v === "number" ? String(v).trim() : "";
  const status = str(raw.status);
  if ((STATUSES as readonly string[]).includes(status)) out.status = status as ShipmentStatus;
  const tag = str(raw.tag);
  if ((TAGS as readonly string[]).includes(tag)) out.tag = tag as ShipmentTag;
  const zip = str(raw.destination_zip);
  if (zip) out.destination_zip = zip;
  const q = str(raw.q);
  if (q) out.q = q;
  const after = str(raw.created_after);
  if (DATE.test(after)) out.created_after = after;
  const before = str(raw.created_before);
  if (DATE.test(before)) out.created_before = before;
  if (raw.attention === true || raw.attention === "true") out.attention = true;
  if (str(raw.sort) === "updated") out.sort = "updated"; // newest first is the default
  return out;
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The API's list query for the URL's filters (dates as an inclusive range of UTC days). */
export function toListQuery(search: ShipmentSearch) {
  return {
    ...(search.status ? { status: search.status } : {}),
    ...(search.tag ? { tag: search.tag } : {}),
    ...(search.destination_zip ? { destination_zip: search.destination_zip } : {}),
    ...(search.q ? { q: search.q } : {}),
    ...(search.attention ? { needs_attention: true } : {}),
    ...(search.sort ? { sort: search.sort } : {}),
    ...(search.created_after ? { created_after: `${search.created_after}T00:00:00Z` } : {}),
    ...(search.created_before
      ? { created_before: `${nextDay(search.created_before)}T00:00:00Z` }
      : {}),
  };
}
