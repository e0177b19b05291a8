import { zodResolver } from "@hookform/resolvers/zod";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import {
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  registerWebhook,
} from "../../client/sdk.gen";
import type {
  DeliveryStatus,
  WebhookDeliveryRead,
  WebhookEndpointCreated,
  WebhookEndpointRead,
  WebhookEventType,
} from "../../client/types.gen";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { Card } from "../../components/ui/card";
import { DataTable } from "../../components/ui/data-table";
import { ConfirmDialog } from "../../components/ui/dialog";
import { TextField } from "../../components/ui/field";
import { formatDateTime, type Translate, useI18n } from "../../i18n";
import { call } from "../../lib/api";
import { applyApiError } from "../../lib/form";
import { isApiError } from "../../lib/problem";

export const EVENT_TYPES: readonly WebhookEventType[] = [
  "shipment.placed",
  "shipment.assigned",
  "shipment.in_transit",
  "shipment.out_for_delivery",
  "shipment.delivered",
  "shipment.cancelled",
];

const LIST_KEY = ["seller", "webhooks"];

/** What the endpoint last answered: its error and status, the status alone, or nothing yet. */
export function lastAnswer(d: Pick<WebhookDeliveryRead, "last_error" | "last_response_status">) {
  const status = d.last_response_status ? `HTTP ${d.last_response_status}` : null;
  if (d.last_error) return status ? `${d.last_error} (${status})` : d.last_error;
  return status ?? "—";
}

function schema(t: Translate) {
  return z.object({
    url: z
      .string()
      .trim()
      .refine((v) => {
        try {
          // The API decides what it accepts (https only, in production): its 422 lands here.
          return ["https:", "http:"].includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, t("validation.url")),
    event_types: z.array(z.string()).min(1, t("validation.events")),
  });
}

type Values = z.infer<ReturnType<typeof schema>>;
const FIELDS = ["url", "event_types"] as const;

type Message = { tone: "success" | "error"; text: string } | null;

function VerifiedBadge({ verified }: { verified: boolean }) {
  const { t } = useI18n();
  return (
    <span
      className={
        verified
          ? "rounded bg-green-100 px-2 py-0.5 text-sm font-medium text-green-900"
          : "rounded bg-amber-100 px-2 py-0.5 text-sm font-medium text-amber-900"
      }
    >
      {verified ? t("webhooks.verified") : t("webhooks.unverified")}
    </span>
  );
}

function EventList({ events }: { events: readonly string[] }) {
  return (
    <ul className="flex flex-wrap gap-1">
      {events.map((e) => (
        <li key={e}>
          <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">{e}</code>
        </li>
      ))}
    </ul>
  );
}

function SecretPanel({
  created,
  onDone,
  onMessage,
}: {
  created: WebhookEndpointCreated;
  onDone: () => void;
  onMessage: (m: Message) => void;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <div
      ref={ref}
      tabIndex={-1}
      className="space-y-3 rounded-xl border-2 border-amber-400 bg-amber-50 p-4 outline-none focus-visible:outline-3 focus-visible:outline-blue-700"
      aria-labelledby="webhook-secret-title"
    >
      <h2 id="webhook-secret-title" className="text-lg font-semibold">
        {t("webhooks.created")}
      </h2>
      <p className="font-medium text-amber-950">{t("webhooks.secretWarning")}</p>
      <TextField
        label={t("webhooks.secret")}
        readOnly
        value={created.secret}
        onFocus={(e) => e.currentTarget.select()}
        className="font-mono"
      />
      <div className="flex items-center gap-2">
        <VerifiedBadge verified={created.verified} />
        <span className="break-all">{created.url}</span>
      </div>
      {!created.verified ? (
        <p className="text-sm text-slate-800">
          {t("webhooks.unverifiedText")}
          {created.verification_error ? ` (${created.verification_error})` : ""}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <Button
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(created.secret);
              onMessage({ tone: "success", text: t("webhooks.copied") });
            } catch {
              onMessage({ tone: "error", text: t("app.error") });
            }
          }}
        >
          {t("webhooks.copy")}
        </Button>
        <Button variant="secondary" onClick={onDone}>
          {t("webhooks.secretDone")}
        </Button>
      </div>
    </div>
  );
}

function RegisterForm({ onCreated }: { onCreated: (c: WebhookEndpointCreated) => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema(t)),
    defaultValues: { url: "", event_types: [] },
  });

  const onSubmit = handleSubmit(async (values) => {
    try {
      const created = await call(
        registerWebhook({
          body: { url: values.url.trim(), event_types: values.event_types as WebhookEventType[] },
        }),
      );
      reset();
      onCreated(created);
      await queryClient.invalidateQueries({ queryKey: LIST_KEY });
    } catch (error) {
      applyApiError(error, FIELDS, setError, t("app.error"));
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="webhook-add-title" className="space-y-4">
      <h2 id="webhook-add-title" className="text-lg font-semibold">
        {t("webhooks.add")}
      </h2>
      <TextField
        label={t("webhooks.url")}
        hint={t("webhooks.urlHint")}
        type="url"
        inputMode="url"
        autoComplete="off"
        placeholder="https://example.com/hooks/fastship"
        error={errors.url?.message}
        {...register("url")}
      />
      <fieldset aria-describedby={errors.event_types ? "event-types-error" : undefined}>
        <legend className="font-medium">{t("webhooks.events")}</legend>
        <div className="mt-2 grid gap-1 sm:grid-cols-2">
          {EVENT_TYPES.map((e) => (
            <label key={e} className="flex min-h-11 items-center gap-2 break-all">
              <input
                type="checkbox"
                value={e}
                className="h-5 w-5 shrink-0"
                aria-invalid={errors.event_types ? true : undefined}
                {...register("event_types")}
              />
              <code className="text-sm">{e}</code>
            </label>
          ))}
        </div>
        {errors.event_types ? (
          <p id="event-types-error" role="alert" className="text-sm font-medium text-red-700">
            {errors.event_types.message}
          </p>
        ) : null}
      </fieldset>
      {errors.root?.server ? <Alert tone="error">{errors.root.server.message}</Alert> : null}
      <Button type="submit" disabled={isSubmitting}>
        {isSubmitting ? t("webhooks.registering") : t("webhooks.register")}
      </Button>
    </form>
  );
}

export function WebhooksPage() {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: LIST_KEY, queryFn: () => call(listWebhooks()) });
  // The secret lives only in this state: never cached, gone once dismissed or on leaving.
  const [created, setCreated] = useState<WebhookEndpointCreated | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [toDelete, setToDelete] = useState<WebhookEndpointRead | null>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);

  const remove = useMutation({
    mutationFn: (id: string) => call(deleteWebhook({ path: { webhook_id: id } })),
    onSuccess: async () => {
      setToDelete(null);
      setMessage({ tone: "success", text: t("webhooks.deleted") });
      await queryClient.invalidateQueries({ queryKey: LIST_KEY });
      setTimeout(() => listHeading.current?.focus(), 0);
    },
    onError: (error) => {
      setToDelete(null);
      setMessage({ tone: "error", text: error.message || t("app.error") });
      queryClient.invalidateQueries({ queryKey: LIST_KEY });
    },
  });

  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-bold">{t("seller.webhooks")}</h1>
      <p className="text-slate-700">{t("webhooks.intro")}</p>
      <div aria-live="polite">
        {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      </div>
      {created ? (
        <SecretPanel
          created={created}
          onMessage={setMessage}
          onDone={() => {
            setCreated(null);
            setMessage(null);
          }}
        />
      ) : null}
      <Card>
        <RegisterForm
          onCreated={(c) => {
            setMessage(null);
            setCreated(c);
          }}
        />
      </Card>
      <section aria-labelledby="webhook-list-title" className="space-y-3">
        <h2
          id="webhook-list-title"
          ref={listHeading}
          tabIndex={-1}
          className="text-lg font-semibold outline-none"
        >
          {t("webhooks.list")}
        </h2>
        {list.isPending ? <p role="status">{t("app.loading")}</p> : null}
        {list.isError ? (
          <Alert tone="error">
            {list.error.message || t("app.error")}{" "}
            <Button variant="secondary" onClick={() => list.refetch()}>
              {t("app.retry")}
            </Button>
          </Alert>
        ) : null}
        {list.isSuccess && list.data.length === 0 ? (
          <p className="text-slate-700">{t("webhooks.empty")}</p>
        ) : null}
        {list.isSuccess && list.data.length > 0 ? (
          <ul className="space-y-3">
            {list.data.map((w) => (
              <li key={w.id} className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-medium break-all">{w.url}</span>
                  <VerifiedBadge verified={w.verified} />
                </div>
                <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
                  <dt className="text-slate-600">{t("webhooks.eventList")}</dt>
                  <dd>
                    <EventList events={w.event_types} />
                  </dd>
                  <dt className="text-slate-600">{t("seller.table.created")}</dt>
                  <dd>{formatDateTime(lang, w.created_at)}</dd>
                </dl>
                <div className="mt-3 flex flex-wrap items-center gap-2">
                  <Link
                    to="/seller/webhooks/$id"
                    params={{ id: w.id }}
                    aria-label={t("webhooks.logFor", { url: w.url })}
                    className="inline-flex min-h-11 items-center rounded px-2 text-blue-800 underline"
                  >
                    {t("webhooks.log")}
                  </Link>
                  <Button
                    variant="danger"
                    aria-label={t("webhooks.deleteFor", { url: w.url })}
                    onClick={() => setToDelete(w)}
                  >
                    {t("webhooks.delete")}
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <ConfirmDialog
        open={toDelete !== null}
        onOpenChange={(open) => {
          if (!open) setToDelete(null);
        }}
        title={t("webhooks.deleteTitle")}
        description={t("webhooks.deleteText")}
      >
        <p className="mb-4 break-all font-medium">{toDelete?.url}</p>
        <div className="flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={() => setToDelete(null)}>
            {t("app.cancel")}
          </Button>
          <Button
            variant="danger"
            disabled={remove.isPending}
            onClick={() => toDelete && remove.mutate(toDelete.id)}
          >
            {t("webhooks.deleteConfirm")}
          </Button>
        </div>
      </ConfirmDialog>
    </div>
  );
}

const STATUS_TONE: Record<DeliveryStatus, string> = {
  pending: "bg-blue-100 text-blue-900",
  delivered: "bg-green-100 text-green-900",
  failed: "bg-red-100 text-red-900",
  cancelled: "bg-slate-200 text-slate-900",
};

const detailRoute = getRouteApi("/seller/webhooks/$id");

export function WebhookDetailPage() {
  const { id } = detailRoute.useParams();
  return <WebhookDetail id={id} />;
}

export function WebhookDetail({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const endpoint = useQuery({
    queryKey: ["seller", "webhook", id],
    queryFn: () => call(getWebhook({ path: { webhook_id: id } })),
  });
  const log = useInfiniteQuery({
    queryKey: ["seller", "webhook", id, "deliveries"],
    queryFn: ({ pageParam }) =>
      call(
        listWebhookDeliveries({
          path: { webhook_id: id },
          query: { limit: 20, ...(pageParam ? { cursor: pageParam } : {}) },
        }),
      ),
    initialPageParam: "" as string,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: endpoint.isSuccess,
  });
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];

  const back = (
    <Link to="/seller/webhooks" className="text-blue-800 underline">
      {t("webhooks.back")}
    </Link>
  );
  if (endpoint.isPending) return <p role="status">{t("app.loading")}</p>;
  if (endpoint.isError) {
    return (
      <div className="space-y-4">
        {back}
        <Alert tone="error">
          {isApiError(endpoint.error, 404) || isApiError(endpoint.error, 422)
            ? t("webhooks.notFound")
            : t("app.error")}
        </Alert>
      </div>
    );
  }
  const w = endpoint.data;

  return (
    <div className="space-y-4">
      {back}
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="text-2xl font-bold break-all">{w.url}</h1>
        <VerifiedBadge verified={w.verified} />
      </div>
      <Card>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-2">
          <dt className="text-slate-600">{t("webhooks.eventList")}</dt>
          <dd>
            <EventList events={w.event_types} />
          </dd>
          <dt className="text-slate-600">{t("seller.table.created")}</dt>
          <dd>{formatDateTime(lang, w.created_at)}</dd>
        </dl>
      </Card>
      <h2 className="text-lg font-semibold">{t("webhooks.log")}</h2>
      {log.isError ? <Alert tone="error">{log.error.message || t("app.error")}</Alert> : null}
      <DataTable
        caption={t("webhooks.log")}
        columns={[
          t("webhooks.col.event"),
          t("webhooks.col.status"),
          t("webhooks.col.attempts"),
          t("webhooks.col.error"),
          t("webhooks.col.times"),
        ]}
        minWidth="min-w-[36rem]"
        loading={log.isPending}
        emptyText={log.isSuccess && rows.length === 0 ? t("webhooks.logEmpty") : null}
      >
        {rows.map((d) => (
          <tr key={d.id}>
            <td className="px-3 py-2">
              <code>{d.event_type}</code>
            </td>
            <td className="px-3 py-2">
              <span className={`rounded px-2 py-0.5 text-xs font-medium ${STATUS_TONE[d.status]}`}>
                {t(`delivery.${d.status}`)}
              </span>
            </td>
            <td className="px-3 py-2">{d.attempts}</td>
            <td className="px-3 py-2 break-words">{lastAnswer(d)}</td>
            <td className="px-3 py-2 text-xs">
              <span className="block">
                {t("seller.table.created")}: {formatDateTime(lang, d.created_at)}
              </span>
              {d.last_attempt_at ? (
                <span className="block">
                  {t("webhooks.lastAttempt")}: {formatDateTime(lang, d.last_attempt_at)}
                </span>
              ) : null}
              {d.delivered_at ? (
                <span className="block">
                  {t("webhooks.deliveredAt")}: {formatDateTime(lang, d.delivered_at)}
                </span>
              ) : null}
            </td>
          </tr>
        ))}
      </DataTable>
      {log.hasNextPage ? (
        <Button
          variant="secondary"
          onClick={() => log.fetchNextPage()}
          disabled={log.isFetchingNextPage}
        >
          {log.isFetchingNextPage ? t("app.loading") : t("seller.loadMore")}
        </Button>
      ) : null}
    </div>
  );
}
