import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { setSession } from "../lib/session";

window.scrollTo = (() => undefined) as typeof window.scrollTo;

afterEach(() => {
  cleanup();
  setSession(null);
  localStorage.clear();
  sessionStorage.clear();
});

import { beforeAll } from "vitest";
import { loadCatalogue } from "../i18n";

beforeAll(async () => {
  await loadCatalogue("en");
  await loadCatalogue("es");
});

// jsdom lacks ResizeObserver, which Radix primitives use.
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;
