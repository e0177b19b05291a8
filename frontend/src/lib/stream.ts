import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

/**
 * Follows a parcel's tracking stream (Server-Sent Events): each change replaces the cached
 * tracking view at once. True while the stream is open; the caller polls only while it is not.
 * The browser reconnects by itself after an error, resuming from the last event id it saw.
 */
export function useTrackingStream(code: string, finished: boolean): boolean {
  const queryClient = useQueryClient();
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (finished || typeof EventSource === "undefined") return;
    const source = new EventSource(`/api/v1/track/${encodeURIComponent(code)}/stream`);
    source.addEventListener("open", () => setLive(true));
    source.addEventListener("error", () => setLive(false));
    source.addEventListener("tracking", (event) => {
      queryClient.setQueryData(["track", code], JSON.parse((event as MessageEvent<string>).data));
    });
    return () => {
      source.close();
      setLive(false);
    };
  }, [code, finished, queryClient]);
  return live;
}
