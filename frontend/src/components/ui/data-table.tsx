import type { ReactNode } from "react";
import { useI18n } from "../../i18n";
import { cn } from "../../lib/cn";

type DataTableProps = {
  caption: string; // read to screen readers only
  columns: string[];
  minWidth: string; // a Tailwind min-w-[…] class: narrower screens scroll the table sideways
  loading: boolean;
  emptyText: string | null; // shown instead of rows, once loaded
  children: ReactNode; // the rows
};

export function DataTable({
  caption,
  columns,
  minWidth,
  loading,
  emptyText,
  children,
}: DataTableProps) {
  const { t } = useI18n();
  return (
    <div className="overflow-x-auto rounded-xl bg-white ring-1 ring-slate-200">
      <table className={cn("w-full text-left text-sm", minWidth)}>
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-100 text-slate-800">
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col" className="px-3 py-2">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200">{children}</tbody>
      </table>
      {loading ? (
        <p role="status" className="p-4">
          {t("app.loading")}
        </p>
      ) : null}
      {emptyText ? <p className="p-4 text-slate-700">{emptyText}</p> : null}
    </div>
  );
}
