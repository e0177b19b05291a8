import type { TimelineEventRead } from "../client/types.gen";
import { formatDateTime, useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { describeEvent } from "../lib/descriptions";

/** Who made a change, for people: the API's `seller:<id>`, `partner:<id>` or `system`. */
export function actorKey(actor: string): MessageKey {
  const kind = actor.split(":")[0];
  if (kind === "seller") return "actor.seller";
  if (kind === "partner") return "actor.partner";
  return "actor.system";
}

/** A shipment's timeline, newest first, with places and actors. */
export function Timeline({ events }: { events: TimelineEventRead[] }) {
  const { t, lang } = useI18n();
  return (
    <ol className="divide-y divide-slate-200">
      {events.map((e) => (
        <li key={e.sequence} className="py-3">
          <p className="font-medium">{t(`status.${e.status}`)}</p>
          {e.description ? (
            <p className="text-slate-700">{describeEvent(e.description, t)}</p>
          ) : null}
          <p className="text-sm text-slate-600">
            <time dateTime={e.occurred_at}>{formatDateTime(lang, e.occurred_at)}</time>
            {e.location_zip ? ` · ${t("track.place", { zip: e.location_zip })}` : null}
            {e.actor ? ` · ${t("detail.by", { actor: t(actorKey(e.actor)) })}` : null}
          </p>
        </li>
      ))}
    </ol>
  );
}
