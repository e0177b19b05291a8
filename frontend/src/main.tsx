import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nProvider, initialLang, loadCatalogue } from "./i18n";
import { isApiError } from "./lib/problem";
import { makeRouter } from "./router";
import "./index.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, error) =>
        !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});
const router = makeRouter(queryClient);

const root = document.getElementById("root");
const lang = initialLang();
document.documentElement.lang = lang;
loadCatalogue(lang).finally(() => {
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <I18nProvider initial={lang}>
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </I18nProvider>
    </StrictMode>,
  );
});
