import type { ShipmentTag } from "../client/types.gen";
import { useT } from "../i18n";

export function TagChip({ tag }: { tag: ShipmentTag }) {
  const t = useT();
  return (
    <span className="inline-flex items-center rounded-md bg-slate-100 px-2 py-0.5 text-sm text-slate-800">
      {t(`tag.${tag}`)}
    </span>
  );
}
