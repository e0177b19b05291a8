import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { type FormEvent, useRef, useState } from "react";
import { getShipment, reportEvent } from "../../client/sdk.gen";
import type { ShipmentRead } from "../../client/types.gen";
import { StatusBadge } from "../../components/status-badge";
import { Timeline } from "../../components/timeline";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { Card } from "../../components/ui/card";
import { TextField } from "../../components/ui/field";
import { formatDateTime, useI18n } from "../../i18n";
import { call } from "../../lib/api";
import { deliveryCodeOutcome } from "../../lib/delivery-code";
import { IdempotencyKeys } from "../../lib/idempotency";
import { isApiError, mapProblemToFields } from "../../lib/problem";
import { eventBody, type PartnerAction, partnerActions } from "../../lib/transitions";

const route = getRouteApi("/partner/shipments/$id");
const ZIP = /^[A-Za-z0-9]{3,10}$/;

export function PartnerShipmentPage() {
  const { id } = route.useParams();
  return <PartnerShipment id={id} />;
}

type Feedback = { tone: "success" | "error" | "warning"; text: string } | null;

export function PartnerShipment({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const queryKey = ["partner", "shipment", id];
  const query = useQuery({
    queryKey,
    queryFn: () => call(getShipment({ path: { shipment_id: id } })),
  });
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [locked, setLocked] = useState(false);
  const keys = useRef(new IdempotencyKeys());

  const mutation = useMutation({
    mutationFn: (vars: { action: PartnerAction; body: ReturnType<typeof eventBody> }) =>
      call(
        reportEvent({
          path: { shipment_id: id },
          body: vars.body,
          headers: { "Idempotency-Key": keys.current.forValues({ id, ...vars.body }) },
        }),
      ),
    onSuccess: (shipment: ShipmentRead) => {
      keys.current.reset();
      queryClient.setQueryData(queryKey, shipment);
      queryClient.invalidateQueries({ queryKey: ["partner", "shipments"] });
      setFeedback({ tone: "success", text: t("partner.done") });
      setFieldErrors({});
    },
    onError: (error, vars) => {
      keys.current.reset();
      if (vars.action === "deliver") {
        const outcome = deliveryCodeOutcome(error);
        if (outcome.kind === "wrong") {
          setFieldErrors({
            code:
              outcome.triesLeft === 1
                ? t("partner.triesLeftOne")
                : t("partner.triesLeft", { n: outcome.triesLeft }),
          });
          setFeedback(null);
          return;
        }
        if (outcome.kind === "locked") {
          setLocked(true);
          setFeedback({ tone: "error", text: t("partner.locked") });
          return;
        }
      }
      if (isApiError(error, 422)) {
        const mapped = mapProblemToFields(error.problem, [
          "location_zip",
          "description",
          "verification_code",
        ] as const);
        setFieldErrors({
          ...(mapped.fieldErrors.location_zip ? { zip: mapped.fieldErrors.location_zip } : {}),
          ...(mapped.fieldErrors.description
            ? { description: mapped.fieldErrors.description }
            : {}),
          ...(mapped.fieldErrors.verification_code
            ? { code: mapped.fieldErrors.verification_code }
            : {}),
        });
        setFeedback(
          mapped.formErrors.length ? { tone: "error", text: mapped.formErrors.join(" ") } : null,
        );
        return;
      }
      setFeedback({ tone: "error", text: error.message || t("app.error") });
      queryClient.invalidateQueries({ queryKey });
    },
  });

  if (query.isPending) return <p role="status">{t("app.loading")}</p>;
  if (query.isError) {
    return (
      <Alert tone="error">
        {isApiError(query.error, 404) ? t("detail.notFound") : t("app.error")}
      </Alert>
    );
  }
  const s = query.data;
  const actions = partnerActions(s.status);
  const run = (action: PartnerAction, input: Parameters<typeof eventBody>[1] = {}) => {
    setFeedback(null);
    mutation.mutate({ action, body: eventBody(action, input) });
  };
  const formValues = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    return Object.fromEntries(
      [...new FormData(e.currentTarget).entries()].map(([k, v]) => [k, String(v).trim()]),
    );
  };

  return (
    <div className="mx-auto max-w-xl space-y-4">
      <Link to="/partner" className="text-blue-800 underline">
        {t("partner.back")}
      </Link>
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="text-2xl font-bold break-words">{s.content}</h1>
        <StatusBadge status={s.status} />
      </div>
      <Card>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
          <dt className="text-slate-600">{t("detail.zip")}</dt>
          <dd>{s.destination_zip}</dd>
          <dt className="text-slate-600">{t("detail.weight")}</dt>
          <dd>{s.weight} kg</dd>
          <dt className="text-slate-600">{t("detail.estimate")}</dt>
          <dd>{formatDateTime(lang, s.estimated_delivery)}</dd>
        </dl>
      </Card>
      <div aria-live="polite">
        {feedback ? <Alert tone={feedback.tone}>{feedback.text}</Alert> : null}
      </div>
      {actions.length === 0 ? <p>{t("partner.noActions")}</p> : null}
      <div className="space-y-3">
        {actions.includes("pick_up") ? (
          <Button className="w-full" disabled={mutation.isPending} onClick={() => run("pick_up")}>
            {t("partner.action.pick_up")}
          </Button>
        ) : null}
        {actions.includes("out_for_delivery") ? (
          <Button
            className="w-full"
            disabled={mutation.isPending}
            onClick={() => run("out_for_delivery")}
          >
            {t("partner.action.out_for_delivery")}
          </Button>
        ) : null}
        {actions.includes("scan") ? (
          <Card>
            <form
              className="space-y-3"
              aria-label={t("partner.action.scan")}
              noValidate
              onSubmit={(e) => {
                const v = formValues(e);
                if (!ZIP.test(v.zip ?? "")) {
                  setFieldErrors({ zip: t("validation.zip") });
                  return;
                }
                run("scan", { zip: v.zip, description: v.description || undefined });
              }}
            >
              <h2 className="font-semibold">{t("partner.action.scan")}</h2>
              <TextField
                name="zip"
                label={t("partner.scanZip")}
                autoComplete="off"
                error={fieldErrors.zip}
              />
              <TextField name="description" label={t("partner.note")} maxLength={500} />
              <Button
                type="submit"
                variant="secondary"
                className="w-full"
                disabled={mutation.isPending}
              >
                {t("partner.action.scan")}
              </Button>
            </form>
          </Card>
        ) : null}
        {actions.includes("deliver") ? (
          <Card>
            <form
              className="space-y-3"
              aria-label={t("partner.action.deliver")}
              noValidate
              onSubmit={(e) => {
                const v = formValues(e);
                if (!/^\d{6}$/.test(v.code ?? "")) {
                  setFieldErrors({ code: t("partner.codeHint") });
                  return;
                }
                run("deliver", { code: v.code });
              }}
            >
              <h2 className="font-semibold">{t("partner.action.deliver")}</h2>
              <TextField
                name="code"
                label={t("partner.code")}
                hint={t("partner.codeHint")}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                pattern="[0-9]{6}"
                disabled={locked}
                error={fieldErrors.code}
              />
              <Button type="submit" className="w-full" disabled={mutation.isPending || locked}>
                {t("partner.action.deliver")}
              </Button>
            </form>
          </Card>
        ) : null}
        {actions.includes("failed_attempt") ? (
          <Card>
            <form
              className="space-y-3"
              aria-label={t("partner.action.failed_attempt")}
              noValidate
              onSubmit={(e) => {
                const v = formValues(e);
                if (!v.description) {
                  setFieldErrors({ description: t("validation.required") });
                  return;
                }
                run("failed_attempt", { description: v.description });
              }}
            >
              <h2 className="font-semibold">{t("partner.action.failed_attempt")}</h2>
              <TextField
                name="description"
                label={t("partner.reason")}
                required
                maxLength={500}
                error={fieldErrors.description}
              />
              <Button
                type="submit"
                variant="secondary"
                className="w-full"
                disabled={mutation.isPending}
              >
                {t("partner.action.failed_attempt")}
              </Button>
            </form>
          </Card>
        ) : null}
      </div>
      <Card>
        <h2 className="text-lg font-semibold">{t("detail.timeline")}</h2>
        <Timeline events={s.timeline} />
      </Card>
    </div>
  );
}
