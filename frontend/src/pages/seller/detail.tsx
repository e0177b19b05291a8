import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useRef, useState } from "react";
import { addTag, cancelShipment, getShipment, removeTag } from "../../client/sdk.gen";
import type { ShipmentRead, ShipmentTag } from "../../client/types.gen";
import { StatusBadge } from "../../components/status-badge";
import { Timeline } from "../../components/timeline";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { Card } from "../../components/ui/card";
import { ConfirmDialog } from "../../components/ui/dialog";
import { SelectField, TextField } from "../../components/ui/field";
import { formatDateTime, useI18n } from "../../i18n";
import { call } from "../../lib/api";
import { IdempotencyKeys } from "../../lib/idempotency";
import { isApiError } from "../../lib/problem";
import { isFinal, sellerCanCancel } from "../../lib/transitions";
import { TAGS } from "./search";

const route = getRouteApi("/seller/shipments/$id");

export function ShipmentDetailPage() {
  const { id } = route.useParams();
  return <ShipmentDetail id={id} />;
}

export function trackingUrl(code: string): string {
  return `${window.location.origin}/track/${encodeURIComponent(code)}`;
}

export function ShipmentDetail({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const queryKey = ["seller", "shipment", id];
  const query = useQuery({
    queryKey,
    queryFn: () => call(getShipment({ path: { shipment_id: id } })),
    refetchInterval: (q) => (q.state.data && isFinal(q.state.data.status) ? false : 5000),
  });
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [confirmOpen, setConfirmOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [newTag, setNewTag] = useState<ShipmentTag | "">("");
  const cancelKeys = useRef(new IdempotencyKeys());

  const refresh = () => queryClient.invalidateQueries({ queryKey: ["seller"] });
  const onError = (error: Error) =>
    setMessage({ tone: "error", text: error.message || t("app.error") });

  const tagAdd = useMutation({
    mutationFn: (tag: ShipmentTag) => call(addTag({ path: { shipment_id: id }, body: { tag } })),
    onSuccess: () => {
      setNewTag("");
      refresh();
    },
    onError,
  });
  const tagRemove = useMutation({
    mutationFn: (tag: ShipmentTag) => call(removeTag({ path: { shipment_id: id, tag } })),
    onSuccess: refresh,
    onError,
  });
  const cancel = useMutation({
    mutationFn: () => {
      const body = reason.trim() ? { reason: reason.trim() } : null;
      return call(
        cancelShipment({
          path: { shipment_id: id },
          body,
          headers: { "Idempotency-Key": cancelKeys.current.forValues({ id, body }) },
        }),
      );
    },
    onSuccess: (shipment) => {
      setConfirmOpen(false);
      if (shipment) queryClient.setQueryData<ShipmentRead>(queryKey, shipment);
      setMessage({ tone: "success", text: t("detail.cancelled") });
      refresh();
    },
    onError: (error) => {
      setConfirmOpen(false);
      onError(error);
      refresh();
    },
  });

  if (query.isPending) return <p role="status">{t("app.loading")}</p>;
  if (query.isError) {
    return (
      <Alert tone="error">
        {isApiError(query.error, 404) || isApiError(query.error, 422)
          ? t("detail.notFound")
          : t("app.error")}
      </Alert>
    );
  }
  const s = query.data;
  const link = trackingUrl(s.tracking_code);
  const addable = TAGS.filter((tag) => !s.tags.includes(tag));

  return (
    <div className="space-y-4">
      <Link to="/seller" className="text-blue-800 underline">
        {t("detail.back")}
      </Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-bold break-words">{s.content}</h1>
        <StatusBadge status={s.status} />
        {s.needs_attention ? (
          <span className="rounded bg-amber-100 px-2 py-0.5 text-sm font-medium text-amber-900">
            {t("seller.attention")}
          </span>
        ) : null}
      </div>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2">
            <dt className="text-slate-600">{t("detail.partner")}</dt>
            <dd>{s.partner?.name ?? t("seller.unassigned")}</dd>
            <dt className="text-slate-600">{t("detail.estimate")}</dt>
            <dd>{formatDateTime(lang, s.estimated_delivery)}</dd>
            <dt className="text-slate-600">{t("detail.weight")}</dt>
            <dd>{s.weight} kg</dd>
            <dt className="text-slate-600">{t("detail.zip")}</dt>
            <dd>{s.destination_zip}</dd>
            <dt className="text-slate-600">{t("detail.recipient")}</dt>
            <dd className="break-all">
              {s.client_contact_email}
              {s.client_contact_phone ? ` · ${s.client_contact_phone}` : ""}
            </dd>
          </dl>
          <div className="mt-4 space-y-2">
            <p className="font-medium">{t("detail.trackingLink")}</p>
            <p className="break-all text-sm">
              <a href={link} className="text-blue-800 underline">
                {link}
              </a>
            </p>
            <Button
              variant="secondary"
              onClick={async () => {
                try {
                  await navigator.clipboard.writeText(link);
                  setMessage({ tone: "success", text: t("detail.copied") });
                } catch {
                  setMessage({ tone: "error", text: t("app.error") });
                }
              }}
            >
              {t("detail.copy")}
            </Button>
          </div>
          {sellerCanCancel(s.status) ? (
            <div className="mt-4 border-t border-slate-200 pt-4">
              <Button variant="danger" onClick={() => setConfirmOpen(true)}>
                {t("detail.cancel")}
              </Button>
            </div>
          ) : null}
        </Card>
        <Card>
          <h2 className="text-lg font-semibold">{t("detail.tags")}</h2>
          {s.tags.length === 0 ? <p className="text-slate-700">{t("detail.noTags")}</p> : null}
          <ul className="mt-2 flex flex-wrap gap-2">
            {s.tags.map((tag) => (
              <li
                key={tag}
                className="inline-flex items-center gap-1 rounded-md bg-slate-100 py-0.5 pl-2 text-sm"
              >
                {t(`tag.${tag}`)}
                <button
                  type="button"
                  onClick={() => tagRemove.mutate(tag)}
                  disabled={tagRemove.isPending}
                  aria-label={t("detail.removeTag", { tag: t(`tag.${tag}`) })}
                  className="inline-flex h-8 w-8 items-center justify-center rounded text-slate-700 hover:bg-slate-200"
                >
                  <span aria-hidden="true">×</span>
                </button>
              </li>
            ))}
          </ul>
          {addable.length > 0 && !isFinal(s.status) ? (
            <form
              className="mt-3 flex flex-wrap items-end gap-2"
              onSubmit={(e) => {
                e.preventDefault();
                if (newTag) tagAdd.mutate(newTag);
              }}
            >
              <SelectField
                label={t("detail.addTag")}
                value={newTag}
                onChange={(e) => setNewTag(e.target.value as ShipmentTag | "")}
                wrapperClassName="flex-1"
              >
                <option value="">—</option>
                {addable.map((tag) => (
                  <option key={tag} value={tag}>
                    {t(`tag.${tag}`)}
                  </option>
                ))}
              </SelectField>
              <Button type="submit" variant="secondary" disabled={!newTag || tagAdd.isPending}>
                {t("detail.add")}
              </Button>
            </form>
          ) : null}
        </Card>
      </div>
      <Card>
        <h2 className="text-lg font-semibold">{t("detail.timeline")}</h2>
        <Timeline events={s.timeline} />
      </Card>
      <ConfirmDialog
        open={confirmOpen}
        onOpenChange={setConfirmOpen}
        title={t("detail.cancelTitle")}
        description={t("detail.cancelText")}
      >
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            cancel.mutate();
          }}
        >
          <TextField
            label={t("detail.cancelReason")}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={500}
          />
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirmOpen(false)}>
              {t("detail.keep")}
            </Button>
            <Button type="submit" variant="danger" disabled={cancel.isPending}>
              {t("detail.cancelConfirm")}
            </Button>
          </div>
        </form>
      </ConfirmDialog>
    </div>
  );
}
