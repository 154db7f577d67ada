import type Docker from "dockerode";
import type { Readable } from "node:stream";
import { LABEL, type DockerEvent } from "./port.js";

/** Container events of this server's containers, resubscribed while dockerd restarts. */
export class DockerEvents {
  constructor(
    private readonly docker: Docker,
    /** the label filter that selects what this server created */
    private readonly mine: string,
  ) {}

  onEvents(cb: (e: DockerEvent) => void): () => void {
    let stopped = false;
    let current: Readable | null = null;
    const subscribe = async () => {
      while (!stopped) {
        try {
          const stream = (await this.docker.getEvents({
            filters: { type: ["container"], label: [this.mine] },
          })) as unknown as Readable;
          current = stream;
          let rest = "";
          await new Promise<void>((resolve) => {
            stream.on("data", (d: Buffer) => {
              const parts = (rest + d.toString("utf8")).split("\n");
              rest = parts.pop() ?? "";
              for (const p of parts) {
                if (!p.trim()) continue;
                try {
                  const ev = JSON.parse(p) as {
                    Action: string;
                    id: string;
                    Actor?: { Attributes?: Record<string, string> };
                  };
                  cb({ action: ev.Action, id: ev.id, app: ev.Actor?.Attributes?.[LABEL.app] ?? null });
                } catch {
                  /* a partial event line: skip it */
                }
              }
            });
            stream.on("end", resolve);
            stream.on("error", resolve);
            stream.on("close", resolve);
          });
        } catch {
          /* dockerd is down: retry below */
        }
        if (!stopped) await new Promise((r) => setTimeout(r, 1000));
      }
    };
    void subscribe();
    return () => {
      stopped = true;
      (current as unknown as { destroy?: () => void } | null)?.destroy?.();
    };
  }
}
