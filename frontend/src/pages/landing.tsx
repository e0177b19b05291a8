import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { buttonClass } from "../components/ui/button";
import { useT } from "../i18n";

export function LandingPage() {
  const t = useT();
  const navigate = useNavigate();
  const [code, setCode] = useState("");

  return (
    <div className="space-y-8">
      <section className="py-4 sm:py-8">
        <h1 className="text-3xl font-bold tracking-tight sm:text-4xl">{t("landing.title")}</h1>
        <p className="mt-3 max-w-2xl text-lg text-slate-700">{t("landing.lead")}</p>
      </section>
      <div className="grid gap-4 sm:grid-cols-2">
        {(["seller", "partner"] as const).map((role) => (
          <section
            key={role}
            aria-labelledby={`${role}-title`}
            className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
          >
            <h2 id={`${role}-title`} className="text-xl font-semibold">
              {t(`landing.${role}.title`)}
            </h2>
            <p className="mt-2 text-slate-700">{t(`landing.${role}.text`)}</p>
            <div className="mt-4 flex flex-wrap gap-2">
              <Link to={`/${role}/login`} className={buttonClass("primary")}>
                {t("landing.login")}
                <span className="sr-only"> ({t(`role.${role}`)})</span>
              </Link>
              <Link to={`/${role}/signup`} className={buttonClass("secondary")}>
                {t("landing.signup")}
                <span className="sr-only"> ({t(`role.${role}`)})</span>
              </Link>
            </div>
          </section>
        ))}
      </div>
      <section
        aria-labelledby="track-title"
        className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
      >
        <h2 id="track-title" className="text-xl font-semibold">
          {t("landing.track.title")}
        </h2>
        <form
          className="mt-3 flex flex-col gap-2 sm:flex-row sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            const trimmed = code.trim();
            if (trimmed) navigate({ to: "/track/$code", params: { code: trimmed } });
          }}
        >
          <div className="flex-1 space-y-1">
            <label htmlFor="track-code" className="block font-medium">
              {t("landing.track.label")}
            </label>
            <input
              id="track-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              required
              autoComplete="off"
              className="block min-h-11 w-full rounded-lg border border-slate-500 px-3"
            />
          </div>
          <button type="submit" className={buttonClass("primary")}>
            {t("landing.track.submit")}
          </button>
        </form>
      </section>
    </div>
  );
}
