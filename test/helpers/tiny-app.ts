import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A tiny app on the busybox base image (2 MB, so a private dockerd loads it
 * in a moment): its web answers "<app> <release>" on $PORT; with `worker`, a
 * Procfile adds a worker that sleeps. Returns the source directory.
 */
export function tinyAppSource(opts: { worker?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "yk-tiny-"));
  writeFileSync(
    join(dir, "Dockerfile"),
    [
      "FROM yadokari-local/busybox:1",
      'CMD ["sh", "-c", "mkdir -p /tmp/www && echo \\"$YADOKARI_APP $YADOKARI_RELEASE\\" > /tmp/www/index.html && exec httpd -f -p ${PORT:-5000} -h /tmp/www"]',
      "",
    ].join("\n"),
  );
  if (opts.worker) writeFileSync(join(dir, "app.json"), JSON.stringify({ formation: { worker: { quantity: 1 } } }));
  if (opts.worker)
    writeFileSync(
      join(dir, "Procfile"),
      [
        'web: mkdir -p /tmp/www && echo "$YADOKARI_APP $YADOKARI_RELEASE" > /tmp/www/index.html && exec httpd -f -p ${PORT:-5000} -h /tmp/www',
        "worker: exec sh -c 'while :; do sleep 1; done'",
        "",
      ].join("\n"),
    );
  return dir;
}
