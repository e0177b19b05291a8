import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { countSellerShipments, listSellerShipments } from "../../client/sdk.gen";
import { StatusBadge } from "../../components/status-badge";
import { TagChip } from "../../components/tag-label";
import { Alert } from "../../components/ui/alert";
import { Button, buttonClass } from "../../components/ui/button";
import { DataTable } from "../../components/ui/data-table";
import { SelectField, TextField } from "../../components/ui/field";
import { formatDateTime, useI18n } from "../../i18n";
import { call } from "../../lib/api";
import { cn } from "../../lib/cn";
import { useAccountFeed } from "../../lib/stream";
import { parseShipmentSearch, type ShipmentSearch, STATUSES, TAGS, toListQuery } from "./search";

const route = getRouteApi("/seller/");
/** The card filters are exclusive: choosing one clears the others. */
const NO_CARD = { status: undefined, attention: undefined };

function StatusCards({ search, live }: { search: ShipmentSearch; live: boolean }) {
  const { t } = useI18n();
  const navigate = route.useNavigate();
  const { data: counts } = useQuery({
    queryKey: ["seller", "counts"],
    queryFn: () => call(countSellerShipments()),
    refetchInterval: live ? false : 15_000, // the feed refreshes them while it is open
  });
  const shown = (value: number | undefined) => (value === undefined ? "…" : String(value));

  const card = (
    label: string,
    value: string,
    active: boolean,
    onClick: () => void,
    tone = "text-slate-900",
  ) => (
    <li key={label}>
      <button
        type="button"
        aria-pressed={active}
        onClick={onClick}
        className={cn(
          "w-full rounded-xl border bg-white p-3 text-left shadow-sm hover:border-blue-500",
          active ? "border-blue-700 ring-2 ring-blue-700" : "border-slate-200",
        )}
      >
        <span className="block text-sm text-slate-700">{label}</span>
        <span className={cn("block text-2xl font-bold", tone)}>{value}</span>
      </button>
    </li>
  );

  return (
    <section aria-labelledby="cards-heading">
      <h2 id="cards-heading" className="sr-only">
        {t("seller.cards")}
      </h2>
      <ul className="grid grid-cols-2 gap-2 sm:grid-cols-4 lg:grid-cols-8">
        {card(t("seller.card.all"), shown(counts?.total), !search.status && !search.attention, () =>
          navigate({ search: (prev) => ({ ...prev, ...NO_CARD }) }),
        )}
        {STATUSES.map((status) =>
          card(
            t(`status.${status}`),
            shown(counts?.by_status[status]),
            search.status === status,
            () => navigate({ search: (prev) => ({ ...prev, ...NO_CARD, status }) }),
          ),
        )}
        {card(
          t("seller.card.attention"),
          shown(counts?.needs_attention),
          Boolean(search.attention),
          () => navigate({ search: (prev) => ({ ...prev, ...NO_CARD, attention: true }) }),
          counts?.needs_attention ? "text-amber-800" : "text-slate-900",
        )}
      </ul>
    </section>
  );
}

function Filters({ search }: { search: ShipmentSearch }) {
  const { t } = useI18n();
  const navigate = route.useNavigate();
  return (
    <form
      key={JSON.stringify(search)}
      aria-label={t("seller.filters")}
      className="grid gap-3 rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:grid-cols-3"
      onSubmit={(e) => {
        e.preventDefault();
        const data = Object.fromEntries(new FormData(e.currentTarget));
        navigate({
          search: parseShipmentSearch({ ...data, attention: search.attention }),
        });
      }}
    >
      <SelectField
        label={t("seller.filter.status")}
        name="status"
        defaultValue={search.status ?? ""}
      >
        <option value="">{t("seller.filter.any")}</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {t(`status.${s}`)}
          </option>
        ))}
      </SelectField>
      <SelectField label={t("seller.filter.tag")} name="tag" defaultValue={search.tag ?? ""}>
        <option value="">{t("seller.filter.any")}</option>
        {TAGS.map((tag) => (
          <option key={tag} value={tag}>
            {t(`tag.${tag}`)}
          </option>
        ))}
      </SelectField>
      <TextField
        label={t("seller.filter.zip")}
        name="destination_zip"
        defaultValue={search.destination_zip ?? ""}
        autoComplete="off"
      />
      <TextField
        label={t("seller.filter.q")}
        name="q"
        type="search"
        hint={t("seller.filter.qHint")}
        defaultValue={search.q ?? ""}
      />
      <TextField
        label={t("seller.filter.after")}
        name="created_after"
        type="date"
        defaultValue={search.created_after ?? ""}
      />
      <TextField
        label={t("seller.filter.before")}
        name="created_before"
        type="date"
        defaultValue={search.created_before ?? ""}
      />
      <SelectField label={t("seller.filter.sort")} name="sort" defaultValue={search.sort ?? ""}>
        <option value="">{t("seller.filter.sort.created")}</option>
        <option value="updated">{t("seller.filter.sort.updated")}</option>
      </SelectField>
      <div className="flex flex-wrap gap-2 sm:col-span-3">
        <Button type="submit">{t("seller.filter.apply")}</Button>
        <Button variant="secondary" onClick={() => navigate({ search: {} })}>
          {t("seller.filter.clear")}
        </Button>
      </div>
    </form>
  );
}

export function SellerDashboard() {
  const { t, lang } = useI18n();
  const search = route.useSearch();
  const listQuery = toListQuery(search);
  const live = useAccountFeed("seller");
  const list = useInfiniteQuery({
    queryKey: ["seller", "shipments", listQuery],
    queryFn: ({ pageParam }) =>
      call(
        listSellerShipments({
          query: { ...listQuery, limit: 20, ...(pageParam ? { cursor: pageParam } : {}) },
        }),
      ),
    initialPageParam: "" as string,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold">{t("seller.title")}</h1>
        <Link to="/seller/new" className={buttonClass("primary")}>
          {t("seller.new")}
        </Link>
      </div>
      <StatusCards search={search} live={live} />
      <Filters search={search} />
      {list.isError ? <Alert tone="error">{list.error.message || t("app.error")}</Alert> : null}
      <DataTable
        caption={t("seller.table.caption")}
        columns={[
          t("seller.table.content"),
          t("seller.table.status"),
          t("seller.table.zip"),
          t("seller.table.partner"),
          t("seller.table.estimate"),
          t("seller.table.tags"),
        ]}
        minWidth="min-w-[40rem]"
        loading={list.isPending}
        emptyText={list.isSuccess && rows.length === 0 ? t("seller.table.empty") : null}
      >
        {rows.map((s) => (
          <tr key={s.id}>
            <td className="px-3 py-2">
              <Link
                to="/seller/shipments/$id"
                params={{ id: s.id }}
                className="font-medium text-blue-800 underline"
              >
                {s.content}
              </Link>
              {s.needs_attention ? (
                <span className="ml-2 rounded bg-amber-100 px-1.5 text-xs font-medium text-amber-900">
                  {t("seller.attention")}
                </span>
              ) : null}
              <span className="block text-xs text-slate-600">
                {t("seller.table.created")}: {formatDateTime(lang, s.created_at)}
              </span>
            </td>
            <td className="px-3 py-2">
              <StatusBadge status={s.status} />
            </td>
            <td className="px-3 py-2">{s.destination_zip}</td>
            <td className="px-3 py-2">
              {s.partner?.name ?? <span className="text-slate-600">{t("seller.unassigned")}</span>}
            </td>
            <td className="px-3 py-2">{formatDateTime(lang, s.estimated_delivery)}</td>
            <td className="px-3 py-2">
              <span className="flex flex-wrap gap-1">
                {s.tags.map((tag) => (
                  <TagChip key={tag} tag={tag} />
                ))}
              </span>
            </td>
          </tr>
        ))}
      </DataTable>
      {list.hasNextPage ? (
        <Button
          variant="secondary"
          onClick={() => list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
        >
          {list.isFetchingNextPage ? t("app.loading") : t("seller.loadMore")}
        </Button>
      ) : null}
    </div>
  );
}
