import type Docker from "dockerode";
import tar from "tar-stream";

/**
 * Builds a tiny web image on an engine (a node of a test swarm): busybox's
 * httpd answering `body` on $PORT (default 5000). Nothing is pulled.
 */
export async function buildWebImage(docker: Docker, tag: string, body: string): Promise<void> {
  const pack = tar.pack();
  pack.entry(
    { name: "Dockerfile" },
    [
      "FROM yadokari-local/busybox:1",
      "COPY index.html /www/index.html",
      'CMD ["sh", "-c", "exec httpd -f -p ${PORT:-5000} -h /www"]',
      "",
    ].join("\n"),
  );
  pack.entry({ name: "index.html" }, body);
  pack.finalize();
  const stream = await docker.buildImage(pack as unknown as NodeJS.ReadableStream, { t: tag, rm: true });
  let error: string | null = null;
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err) => (err ? reject(err) : resolve()),
      (ev: { error?: string }) => {
        if (ev.error) error = ev.error;
      },
    ),
  );
  if (error) throw new Error(`build of ${tag} failed: ${error}`);
}

export interface RunningTask {
  id: string;
  nodeId: string;
  state: string;
  err: string | null;
  port: number | null;
}

/** A service's tasks that should run, with the host port each publishes (deduplicated: Docker lists v4 and v6). */
export async function serviceTasks(docker: Docker, service: string): Promise<RunningTask[]> {
  const tasks = (await docker.listTasks({ filters: { service: [service], "desired-state": ["running"] } })) as {
    ID: string;
    NodeID: string;
    Status: { State: string; Err?: string; PortStatus?: { Ports?: { PublishedPort?: number }[] } };
  }[];
  return tasks.map((t) => ({
    id: t.ID,
    nodeId: t.NodeID,
    state: t.Status.State,
    err: t.Status.Err ?? null,
    port: t.Status.PortStatus?.Ports?.find((p) => p.PublishedPort)?.PublishedPort ?? null,
  }));
}
