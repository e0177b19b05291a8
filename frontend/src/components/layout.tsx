import { useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useRouterState } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import { LANGS, type Lang, useI18n } from "../i18n";
import { logOut } from "../lib/logout";
import { useSession } from "../lib/use-session";

const LANG_NAMES: Record<Lang, string> = { en: "English", es: "Español" };

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="sr-only sm:not-sr-only">{t("app.language")}</span>
      <select
        value={lang}
        onChange={(e) => setLang(e.target.value as Lang)}
        className="min-h-11 rounded-lg border border-slate-400 bg-white px-2 text-slate-900"
      >
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANG_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout() {
  const { t } = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const mainRef = useRef<HTMLElement>(null);
  const firstPath = useRef(pathname);

  // After a client-side navigation, move focus to the new page so screen readers start there.
  useEffect(() => {
    if (pathname !== firstPath.current) {
      firstPath.current = "";
      mainRef.current?.focus();
    }
  }, [pathname]);

  async function logout() {
    await logOut();
    queryClient.clear();
    navigate({ to: "/" });
  }

  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        {t("app.skip")}
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-2 px-4 py-2">
          <Link to="/" className="flex items-center gap-2 rounded text-lg font-bold text-blue-800">
            <svg viewBox="0 0 32 32" className="h-7 w-7" aria-hidden="true">
              <rect width="32" height="32" rx="8" fill="currentColor" />
              <path d="M8 20h10l6-8H14z" fill="#fff" />
            </svg>
            {t("app.name")}
          </Link>
          {session ? (
            <nav
              aria-label={t("app.mainNav")}
              className="order-last flex w-full flex-wrap items-center gap-1 sm:order-none sm:w-auto"
            >
              <Link
                to={session.role === "seller" ? "/seller" : "/partner"}
                className="rounded px-2 py-2 text-blue-800 hover:underline"
              >
                {t("app.dashboard")}
              </Link>
              {session.role === "seller" ? (
                <Link
                  to="/seller/webhooks"
                  className="rounded px-2 py-2 text-blue-800 hover:underline"
                >
                  {t("seller.webhooks")}
                </Link>
              ) : null}
              <Link
                to={session.role === "seller" ? "/seller/account" : "/partner/account"}
                className="rounded px-2 py-2 text-blue-800 hover:underline"
              >
                {t("app.account")}
              </Link>
              <button
                type="button"
                onClick={logout}
                className="min-h-11 rounded px-2 text-blue-800 hover:underline"
              >
                {t("app.logout")}
              </button>
            </nav>
          ) : null}
          <LanguageSwitch />
        </div>
      </header>
      <main
        id="main"
        tabIndex={-1}
        className="mx-auto w-full max-w-5xl flex-1 px-4 py-6 outline-none"
      >
        <Outlet />
      </main>
    </div>
  );
}

export function PageLoading() {
  const { t } = useI18n();
  return (
    <p role="status" className="py-8 text-center text-slate-700">
      {t("app.loading")}
    </p>
  );
}

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <div className="py-12 text-center">
      <h1 className="text-2xl font-bold">{t("app.notFound")}</h1>
      <Link to="/" className="mt-4 inline-block text-blue-800 underline">
        {t("app.home")}
      </Link>
    </div>
  );
}

export function ErrorPage() {
  const { t } = useI18n();
  return (
    <div role="alert" className="py-12 text-center">
      <h1 className="text-2xl font-bold">{t("app.error")}</h1>
      <Link to="/" className="mt-4 inline-block text-blue-800 underline">
        {t("app.home")}
      </Link>
    </div>
  );
}
