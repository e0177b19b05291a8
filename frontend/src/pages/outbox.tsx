import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { readOutbox } from "../client/sdk.gen";
import type { OutboxMessageRead } from "../client/types.gen";
import { Alert } from "../components/ui/alert";
import { Button } from "../components/ui/button";
import { SelectField, TextField } from "../components/ui/field";
import { formatDateTime, useI18n } from "../i18n";
import { call } from "../lib/api";
import { linkify } from "../lib/linkify";
import { isApiError } from "../lib/problem";

function Body({ text }: { text: string }) {
  return (
    <p className="mt-2 whitespace-pre-wrap break-words text-slate-800">
      {linkify(text).map((part, i) =>
        part.kind === "link" ? (
          <a key={i} href={part.href} className="text-blue-800 underline">
            {part.href}
          </a>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </p>
  );
}

export function OutboxPage() {
  const { t, lang } = useI18n();
  const [recipient, setRecipient] = useState("");
  const [channel, setChannel] = useState<"" | "email" | "sms">("");
  const [filters, setFilters] = useState<{ recipient?: string; channel?: "email" | "sms" }>({});
  const query = useQuery({
    queryKey: ["outbox", filters],
    queryFn: () => call(readOutbox({ query: { ...filters, limit: 100 } })),
    refetchInterval: (q) => (isApiError(q.state.error, 404) ? false : 5000),
  });

  if (isApiError(query.error, 404)) {
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-bold">{t("outbox.title")}</h1>
        <Alert tone="warning">{t("outbox.unavailable")}</Alert>
      </div>
    );
  }

  const messages: OutboxMessageRead[] = query.data ?? [];
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("outbox.title")}</h1>
      <p className="text-slate-700">{t("outbox.lead")}</p>
      <form
        className="grid gap-3 rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:grid-cols-[1fr_auto_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({
            ...(recipient.trim() ? { recipient: recipient.trim() } : {}),
            ...(channel ? { channel } : {}),
          });
        }}
      >
        <TextField
          label={t("outbox.recipient")}
          type="email"
          value={recipient}
          onChange={(e) => setRecipient(e.target.value)}
        />
        <SelectField
          label={t("outbox.channel")}
          value={channel}
          onChange={(e) => setChannel(e.target.value as "" | "email" | "sms")}
        >
          <option value="">{t("outbox.channelAll")}</option>
          <option value="email">Email</option>
          <option value="sms">SMS</option>
        </SelectField>
        <Button type="submit">{t("outbox.filter")}</Button>
      </form>
      {query.isPending ? <p role="status">{t("app.loading")}</p> : null}
      {query.isError ? <Alert tone="error">{query.error.message || t("app.error")}</Alert> : null}
      {query.isSuccess && messages.length === 0 ? <p>{t("outbox.empty")}</p> : null}
      <ul className="space-y-3">
        {messages.map((m) => (
          <li
            key={`${m.created_at}|${m.recipient}|${m.template ?? ""}|${m.channel}`}
            className="rounded-xl bg-white p-4 ring-1 ring-slate-200"
          >
            <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
              <dt className="font-medium text-slate-600">{t("outbox.recipient")}</dt>
              <dd className="break-all">{m.recipient}</dd>
              <dt className="font-medium text-slate-600">{t("outbox.channel")}</dt>
              <dd>{m.channel}</dd>
              <dt className="font-medium text-slate-600">{t("outbox.template")}</dt>
              <dd>{m.template ?? "—"}</dd>
              {m.subject ? (
                <>
                  <dt className="font-medium text-slate-600">{t("outbox.subject")}</dt>
                  <dd>{m.subject}</dd>
                </>
              ) : null}
              <dt className="font-medium text-slate-600">{t("outbox.sent")}</dt>
              <dd>
                <time dateTime={m.created_at}>{formatDateTime(lang, m.created_at)}</time>
              </dd>
            </dl>
            <Body text={m.body} />
          </li>
        ))}
      </ul>
    </div>
  );
}
