import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";

type Handlers = Record<string, (data: string) => void>;

/**
 * Follows a Server-Sent Events stream of the API while `enabled`, calling the handler of each
 * event's type. True while the stream is open: callers poll only while it is not. The browser
 * reconnects by itself after an error, resuming from the last event id it saw (and the session
 * cookie authenticates a seller's or partner's stream).
 */
function useEventStream(url: string, enabled: boolean, handlers: Handlers): boolean {
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    const source = new EventSource(url);
    source.addEventListener("open", () => setLive(true));
    source.addEventListener("error", () => setLive(false));
    for (const [type, handle] of Object.entries(handlers)) {
      source.addEventListener(type, (event) => handle((event as MessageEvent<string>).data));
    }
    return () => {
      source.close();
      setLive(false);
    };
  }, [url, enabled, handlers]);
  return live;
}

/** A parcel's tracking stream: each change replaces the cached tracking view at once. */
export function useTrackingStream(code: string, finished: boolean): boolean {
  const queryClient = useQueryClient();
  const handlers = useMemo<Handlers>(
    () => ({ tracking: (data) => queryClient.setQueryData(["track", code], JSON.parse(data)) }),
    [queryClient, code],
  );
  return useEventStream(`/api/v1/track/${encodeURIComponent(code)}/stream`, !finished, handlers);
}

/** A seller's or partner's feed: a change to any of their shipments refreshes what they see. */
export function useAccountFeed(role: "seller" | "partner"): boolean {
  const queryClient = useQueryClient();
  const handlers = useMemo<Handlers>(
    () => ({ change: () => void queryClient.invalidateQueries({ queryKey: [role] }) }),
    [queryClient, role],
  );
  return useEventStream(`/api/v1/${role}/events`, true, handlers);
}
