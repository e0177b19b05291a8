import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  type RouterHistory,
  redirect,
} from "@tanstack/react-router";
import { ErrorPage, Layout, NotFoundPage, PageLoading } from "./components/layout";
import { setUnauthorizedHandler } from "./lib/api";
import { getSession, type Role } from "./lib/session";
import { parseShipmentSearch } from "./pages/seller/search";
import { TrackPage } from "./pages/track";

type RouterContext = { queryClient: QueryClient };

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Layout,
  notFoundComponent: NotFoundPage,
  errorComponent: ErrorPage,
  pendingComponent: PageLoading,
});

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  component: lazyRouteComponent(() => import("./pages/landing"), "LandingPage"),
});

const trackRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/track/$code",
  component: function TrackRoute() {
    const { code } = trackRoute.useParams();
    return <TrackPage code={code} />;
  },
});

const reviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/review/$token",
  component: lazyRouteComponent(() => import("./pages/review"), "ReviewPage"),
});

const outboxRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/dev/outbox",
  component: lazyRouteComponent(() => import("./pages/outbox"), "OutboxPage"),
});

const tokenSearch = (search: Record<string, unknown>): { token?: string } =>
  typeof search.token === "string" ? { token: search.token } : {};

const redirectSearch = (
  search: Record<string, unknown>,
): { redirect?: string; expired?: boolean } => ({
  ...(typeof search.redirect === "string" && search.redirect.startsWith("/")
    ? { redirect: search.redirect }
    : {}),
  ...(search.expired === true || search.expired === "true" ? { expired: true } : {}),
});

const auth = () => import("./pages/auth");

function roleRoutes(role: Role) {
  return [
    createRoute({
      getParentRoute: () => rootRoute,
      path: `/${role}/login`,
      validateSearch: redirectSearch,
      component: lazyRouteComponent(auth, role === "seller" ? "SellerLogin" : "PartnerLogin"),
    }),
    createRoute({
      getParentRoute: () => rootRoute,
      path: `/${role}/signup`,
      component: lazyRouteComponent(auth, role === "seller" ? "SellerSignup" : "PartnerSignup"),
    }),
    createRoute({
      getParentRoute: () => rootRoute,
      path: `/${role}/forgot-password`,
      component: lazyRouteComponent(auth, role === "seller" ? "SellerForgot" : "PartnerForgot"),
    }),
  ] as const;
}

const verifyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/verify/$role",
  validateSearch: tokenSearch,
  component: lazyRouteComponent(auth, "VerifyPage"),
});

const resetRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/reset-password/$role",
  validateSearch: tokenSearch,
  component: lazyRouteComponent(auth, "ResetPage"),
});

function requireRole(role: Role) {
  return ({ location }: { location: { href: string } }) => {
    if (getSession()?.role !== role) {
      throw redirect({ to: `/${role}/login`, search: { redirect: location.href } });
    }
  };
}

const sellerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/seller",
  beforeLoad: requireRole("seller"),
});
const sellerIndexRoute = createRoute({
  getParentRoute: () => sellerRoute,
  path: "/",
  validateSearch: parseShipmentSearch,
  component: lazyRouteComponent(() => import("./pages/seller/dashboard"), "SellerDashboard"),
});
const sellerNewRoute = createRoute({
  getParentRoute: () => sellerRoute,
  path: "/new",
  component: lazyRouteComponent(() => import("./pages/seller/create"), "CreateShipmentPage"),
});
const sellerShipmentRoute = createRoute({
  getParentRoute: () => sellerRoute,
  path: "/shipments/$id",
  component: lazyRouteComponent(() => import("./pages/seller/detail"), "ShipmentDetailPage"),
});
const sellerAccountRoute = createRoute({
  getParentRoute: () => sellerRoute,
  path: "/account",
  component: lazyRouteComponent(() => import("./pages/account"), "SellerAccountPage"),
});

const sellerWebhooks = () => import("./pages/seller/webhooks");
const sellerWebhooksRoute = createRoute({
  getParentRoute: () => sellerRoute,
  path: "/webhooks",
  component: lazyRouteComponent(sellerWebhooks, "WebhooksPage"),
});
const sellerWebhookRoute = createRoute({
  getParentRoute: () => sellerRoute,
  path: "/webhooks/$id",
  component: lazyRouteComponent(sellerWebhooks, "WebhookDetailPage"),
});

const partnerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/partner",
  beforeLoad: requireRole("partner"),
});
const partnerIndexRoute = createRoute({
  getParentRoute: () => partnerRoute,
  path: "/",
  component: lazyRouteComponent(() => import("./pages/partner/dashboard"), "PartnerDashboard"),
});
const partnerShipmentRoute = createRoute({
  getParentRoute: () => partnerRoute,
  path: "/shipments/$id",
  component: lazyRouteComponent(() => import("./pages/partner/shipment"), "PartnerShipmentPage"),
});
const partnerAccountRoute = createRoute({
  getParentRoute: () => partnerRoute,
  path: "/account",
  component: lazyRouteComponent(() => import("./pages/account"), "PartnerAccountPage"),
});

const routeTree = rootRoute.addChildren([
  indexRoute,
  trackRoute,
  reviewRoute,
  outboxRoute,
  ...roleRoutes("seller"),
  ...roleRoutes("partner"),
  verifyRoute,
  resetRoute,
  sellerRoute.addChildren([
    sellerIndexRoute,
    sellerNewRoute,
    sellerShipmentRoute,
    sellerAccountRoute,
    sellerWebhooksRoute,
    sellerWebhookRoute,
  ]),
  partnerRoute.addChildren([partnerIndexRoute, partnerShipmentRoute, partnerAccountRoute]),
]);

export function makeRouter(queryClient: QueryClient, history?: RouterHistory) {
  const router = createRouter({
    routeTree,
    ...(history ? { history } : {}),
    context: { queryClient },
    defaultPreload: "intent",
    scrollRestoration: true,
  });
  setUnauthorizedHandler((role) => {
    const here = router.state.location.href;
    queryClient.clear();
    router.navigate({ to: `/${role}/login`, search: { redirect: here, expired: true } });
  });
  return router;
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}
