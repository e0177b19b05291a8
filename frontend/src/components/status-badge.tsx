import type { ShipmentStatus } from "../client/types.gen";
import { useT } from "../i18n";
import { cn } from "../lib/cn";

const colours: Record<ShipmentStatus, string> = {
  placed: "bg-slate-100 text-slate-800 ring-slate-300",
  in_transit: "bg-blue-50 text-blue-900 ring-blue-300",
  out_for_delivery: "bg-violet-50 text-violet-900 ring-violet-300",
  delivered: "bg-green-50 text-green-900 ring-green-300",
  cancelled: "bg-red-50 text-red-900 ring-red-300",
};

export function StatusBadge({ status }: { status: ShipmentStatus }) {
  const t = useT();
  return (
    <span
      className={cn(
        "inline-flex items-center rounded-full px-2.5 py-0.5 text-sm font-medium ring-1",
        colours[status],
      )}
    >
      {t(`status.${status}`)}
    </span>
  );
}
