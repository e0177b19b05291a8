import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { trackShipment } from "../client/sdk.gen";
import type { TrackingRead } from "../client/types.gen";
import { Alert } from "../components/ui/alert";
import { formatDate, formatDateTime, useI18n } from "../i18n";
import { call } from "../lib/api";
import { cn } from "../lib/cn";
import { describeEvent } from "../lib/descriptions";
import { isApiError } from "../lib/problem";
import { useTrackingStream } from "../lib/stream";
import { STEPS, stepperState } from "../lib/transitions";

export const TRACK_POLL_MS = 5000;

export function trackingQueryOptions(code: string) {
  return {
    queryKey: ["track", code] as const,
    queryFn: () => call(trackShipment({ path: { tracking_code: code } })),
    refetchInterval: (query: { state: { data?: TrackingRead; error: unknown } }) => {
      const { data, error } = query.state;
      if (isApiError(error, 404)) return false;
      if (data && (data.status === "delivered" || data.status === "cancelled")) return false;
      return TRACK_POLL_MS;
    },
    retry: (count: number, error: unknown) => !isApiError(error, 404) && count < 2,
    // A poll that brings the same document changes nothing on screen: structural sharing keeps
    // the old object, and only these fields are watched.
    notifyOnChangeProps: ["data", "error", "isPending"] as ("data" | "error" | "isPending")[],
  };
}

export function TrackPage({ code }: { code: string }) {
  const { t, lang } = useI18n();
  const [finished, setFinished] = useState(false);
  const live = useTrackingStream(code, finished);
  const options = trackingQueryOptions(code);
  const { data, error, isPending } = useQuery(
    live ? { ...options, refetchInterval: false } : options,
  );
  const [announcement, setAnnouncement] = useState("");
  const previous = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (!data) return;
    if (previous.current && previous.current !== data.status) {
      setAnnouncement(t("track.updated", { status: t(`status.${data.status}`) }));
    }
    previous.current = data.status;
    setFinished(data.status === "delivered" || data.status === "cancelled");
  }, [data, t]);

  if (isPending) {
    return (
      <p role="status" className="py-12 text-center text-lg text-slate-700">
        {t("track.loading")}
      </p>
    );
  }
  if (!data) {
    if (isApiError(error, 404) || isApiError(error, 422)) {
      return (
        <div className="mx-auto max-w-lg py-8 text-center">
          <h1 className="text-2xl font-bold">{t("track.notFound.title")}</h1>
          <p className="mt-3 text-slate-700">{t("track.notFound.text")}</p>
        </div>
      );
    }
    return <Alert tone="error">{t("track.error")}</Alert>;
  }

  const state = stepperState(data.status, data.timeline);
  const headline = state.cancelled
    ? t("status.cancelled")
    : state.failedAttempt
      ? t("status.failed_attempt")
      : t(`status.${data.status}`);

  return (
    <div className="mx-auto max-w-xl space-y-5">
      <div className="sr-only" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      <section className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
        <p className="text-sm font-medium text-slate-600">{t("track.title")}</p>
        <h1 className="mt-1 text-3xl font-bold tracking-tight">{headline}</h1>
        {state.failedAttempt ? (
          <p className="mt-2 text-amber-900">{t("track.failedText")}</p>
        ) : null}
        {state.cancelled ? <p className="mt-2 text-red-800">{t("track.cancelledText")}</p> : null}

        {!state.cancelled ? (
          <dl className="mt-4 grid gap-3 sm:grid-cols-2">
            <div>
              <dt className="text-sm text-slate-600">
                {data.status === "delivered" ? t("track.deliveredOn") : t("track.estimate")}
              </dt>
              <dd className="text-lg font-semibold">
                {formatDate(
                  lang,
                  data.status === "delivered"
                    ? (data.timeline[0]?.occurred_at ?? data.estimated_delivery)
                    : data.estimated_delivery,
                )}
              </dd>
            </div>
            <div>
              <dt className="text-sm text-slate-600">{t("track.partner")}</dt>
              <dd className="text-lg font-semibold">
                {data.partner_name ?? (
                  <span className="font-normal text-slate-700">{t("track.partnerPending")}</span>
                )}
              </dd>
            </div>
          </dl>
        ) : null}
      </section>

      <section
        aria-labelledby="progress-heading"
        className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200"
      >
        <h2 id="progress-heading" className="sr-only">
          {t("track.progress")}
        </h2>
        <ol className="space-y-0">
          {STEPS.map((step, index) => {
            const done = index < state.current || (index === state.current && step === "delivered");
            const current = index === state.current && !state.cancelled;
            const warn = current && state.failedAttempt;
            return (
              <li
                key={step}
                aria-current={current ? "step" : undefined}
                className="relative flex gap-3 pb-5 last:pb-0"
              >
                {index < STEPS.length - 1 ? (
                  <span
                    aria-hidden="true"
                    className={cn(
                      "absolute top-8 left-[15px] h-[calc(100%-2rem)] w-0.5",
                      index < state.current ? "bg-blue-700" : "bg-slate-300",
                    )}
                  />
                ) : null}
                <span
                  aria-hidden="true"
                  className={cn(
                    "relative z-10 flex h-8 w-8 shrink-0 items-center justify-center rounded-full border-2 text-sm font-bold",
                    done && "border-blue-700 bg-blue-700 text-white",
                    current && !done && !warn && "border-blue-700 bg-white text-blue-800",
                    warn && "border-amber-600 bg-amber-50 text-amber-900",
                    !done && !current && "border-slate-300 bg-white text-slate-500",
                  )}
                >
                  {done ? "✓" : warn ? "!" : index + 1}
                </span>
                <span className="pt-1">
                  <span
                    className={cn(
                      "font-medium",
                      !done && !current ? "text-slate-600" : "text-slate-900",
                    )}
                  >
                    {t(`status.${step}`)}
                  </span>
                  {warn ? (
                    <span className="block text-sm text-amber-900">
                      {t("status.failed_attempt")}
                    </span>
                  ) : null}
                  <span className="sr-only">
                    {done
                      ? ` (${t("track.stepDone")})`
                      : current
                        ? ` (${t("track.stepCurrent")})`
                        : ""}
                  </span>
                </span>
              </li>
            );
          })}
        </ol>
      </section>

      <section
        aria-labelledby="history-heading"
        className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200"
      >
        <h2 id="history-heading" className="text-lg font-semibold">
          {t("track.timeline")}
        </h2>
        <ol className="mt-3 divide-y divide-slate-200">
          {data.timeline.map((event) => (
            <li
              key={`${event.occurred_at}|${event.status}|${event.location_zip ?? ""}|${event.description ?? ""}`}
              className="py-3"
            >
              <p className="font-medium">{t(`status.${event.status}`)}</p>
              {event.description ? (
                <p className="text-slate-700">{describeEvent(event.description, t)}</p>
              ) : null}
              <p className="text-sm text-slate-600">
                <time dateTime={event.occurred_at}>{formatDateTime(lang, event.occurred_at)}</time>
                {event.location_zip ? ` · ${t("track.place", { zip: event.location_zip })}` : null}
              </p>
            </li>
          ))}
        </ol>
      </section>
      {error ? <Alert tone="warning">{t("track.error")}</Alert> : null}
      {data.status !== "delivered" && data.status !== "cancelled" ? (
        <p className="text-center text-sm text-slate-600">{t("track.live")}</p>
      ) : null}
    </div>
  );
}
