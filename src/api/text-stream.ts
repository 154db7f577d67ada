import type { TypedResponse } from "hono";

/** A streamed text/plain 200, typed as the text response the route's schema declares. */
export type TextStream = Response & TypedResponse<string, 200, "text">;

/**
 * A text/plain streaming body fed by a subscription: `subscribe` gets a
 * writer and returns an unsubscribe function, called when the client goes away.
 */
export function textStream(subscribe: (w: { line: (l: string) => void; end: () => void }) => () => void): TextStream {
  let unsubscribe: (() => void) | null = null;
  let closed = false;
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const w = {
        line: (l: string) => {
          if (!closed) controller.enqueue(enc.encode(l + "\n"));
        },
        end: () => {
          if (closed) return;
          closed = true;
          controller.close();
        },
      };
      unsubscribe = subscribe(w);
      if (closed) unsubscribe();
    },
    cancel() {
      closed = true;
      unsubscribe?.();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
  }) as TextStream;
}
