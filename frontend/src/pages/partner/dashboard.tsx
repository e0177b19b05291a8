import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { countPartnerShipments, getPartnerMe, listPartnerShipments } from "../../client/sdk.gen";
import type { ShipmentStatus, ShipmentSummary } from "../../client/types.gen";
import { StatusBadge } from "../../components/status-badge";
import { Alert } from "../../components/ui/alert";
import { Card } from "../../components/ui/card";
import { useI18n } from "../../i18n";
import { call } from "../../lib/api";
import { cn } from "../../lib/cn";
import { useAccountFeed } from "../../lib/stream";
import { isActive } from "../../lib/transitions";
import { PartnerSettingsForm } from "../account";

const ORDER: ShipmentStatus[] = [
  "out_for_delivery",
  "in_transit",
  "placed",
  "delivered",
  "cancelled",
];

export function groupByStatus(items: ShipmentSummary[]): [ShipmentStatus, ShipmentSummary[]][] {
  return ORDER.map(
    (status) =>
      [status, items.filter((s) => s.status === status)] as [ShipmentStatus, ShipmentSummary[]],
  ).filter(([, list]) => list.length > 0);
}

function Workload({ active, capacity }: { active: number; capacity: number }) {
  const { t } = useI18n();
  const ratio = capacity > 0 ? Math.min(1, active / capacity) : 1;
  return (
    <Card>
      <h2 className="font-semibold" id="load-heading">
        {t("partner.load")}
      </h2>
      <p className="mt-1 text-2xl font-bold">{t("partner.loadValue", { active, capacity })}</p>
      <div
        role="meter"
        aria-labelledby="load-heading"
        aria-valuemin={0}
        aria-valuemax={capacity}
        aria-valuenow={active}
        aria-valuetext={t("partner.loadValue", { active, capacity })}
        className="mt-2 h-3 w-full overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={cn("h-full rounded-full", ratio >= 1 ? "bg-amber-600" : "bg-blue-700")}
          style={{ width: `${ratio * 100}%` }}
        />
      </div>
    </Card>
  );
}

export function PartnerDashboard() {
  const { t } = useI18n();
  const me = useQuery({ queryKey: ["partner", "me"], queryFn: () => call(getPartnerMe()) });
  // A change to any of the partner's shipments refreshes the lists while the feed is open.
  const poll = useAccountFeed("partner") ? false : 10_000;
  const list = useQuery({
    queryKey: ["partner", "shipments"],
    queryFn: () => call(listPartnerShipments({ query: { limit: 100 } })),
    refetchInterval: poll,
  });
  const counts = useQuery({
    queryKey: ["partner", "counts"],
    queryFn: () => call(countPartnerShipments()),
    refetchInterval: poll,
  });
  const items = list.data?.items ?? [];
  const byStatus = counts.data?.by_status;
  const active = byStatus
    ? Object.entries(byStatus)
        .filter(([status]) => isActive(status as ShipmentStatus))
        .reduce((sum, [, count]) => sum + count, 0)
    : undefined;

  return (
    <div className="mx-auto max-w-xl space-y-4">
      <h1 className="text-2xl font-bold">{t("partner.title")}</h1>
      {me.data && active !== undefined ? (
        <Workload active={active} capacity={me.data.max_handling_capacity} />
      ) : null}
      {list.isPending ? <p role="status">{t("app.loading")}</p> : null}
      {list.isError ? <Alert tone="error">{list.error.message || t("app.error")}</Alert> : null}
      {list.isSuccess && items.length === 0 ? <p>{t("partner.none")}</p> : null}
      {groupByStatus(items).map(([status, group]) => (
        <section key={status} aria-labelledby={`group-${status}`}>
          <h2 id={`group-${status}`} className="mb-2 text-lg font-semibold">
            {t(`status.${status}`)} ({group.length})
          </h2>
          <ul className="space-y-2">
            {group.map((s) => (
              <li key={s.id}>
                <Link
                  to="/partner/shipments/$id"
                  params={{ id: s.id }}
                  className="block min-h-11 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 hover:ring-blue-500"
                >
                  <span className="flex items-start justify-between gap-2">
                    <span className="font-medium text-blue-800 underline">{s.content}</span>
                    <StatusBadge status={s.status} />
                  </span>
                  <span className="mt-1 block text-sm text-slate-700">
                    {t("partner.to", { zip: s.destination_zip })} · {s.weight} kg
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {me.data ? (
        <section aria-labelledby="settings-heading" className="space-y-2">
          <h2 id="settings-heading" className="text-lg font-semibold">
            {t("partner.settings")}
          </h2>
          <PartnerSettingsForm me={me.data} />
        </section>
      ) : null}
    </div>
  );
}
