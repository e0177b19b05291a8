import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { vi } from "vitest";
import { client } from "../client/client.gen";
import { I18nProvider, type Lang } from "../i18n";

client.setConfig({ baseUrl: "http://localhost" });

export function renderWithProviders(ui: ReactElement, { lang = "en" as Lang } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <I18nProvider initial={lang}>
      <QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>
    </I18nProvider>,
  );
}

type Reply = { status: number; body?: unknown };

/** Replace fetch with answers chosen per request; returns the mock to inspect calls. */
export function mockFetch(answer: (req: Request) => Reply | Promise<Reply>) {
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const { status, body } = await answer(req);
    const problem = status >= 400;
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "Content-Type": problem ? "application/problem+json" : "application/json" },
    });
  });
  vi.stubGlobal("fetch", fn);
  return fn;
}

import {
  createMemoryHistory,
  createRootRoute,
  createRouter,
  RouterProvider,
} from "@tanstack/react-router";

/** Render a component inside a throwaway router, so Links and navigation work. */
export function renderInRouter(ui: ReactElement, { path = "/", lang = "en" as Lang } = {}) {
  const rootRoute = createRootRoute({ component: () => ui, notFoundComponent: () => ui });
  const router = createRouter({
    routeTree: rootRoute,
    history: createMemoryHistory({ initialEntries: [path] }),
  });
  const result = renderWithProviders(<RouterProvider router={router as never} />, { lang });
  return { ...result, router };
}
