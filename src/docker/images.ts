import type Docker from "dockerode";
import type { Readable } from "node:stream";
import { AppError } from "../errors/app-error.js";
import { LABEL } from "./port.js";
import { splitLines } from "../lib/lines.js";
import { imageRepo } from "../domain/names.js";
import { statusOf, unavailable } from "./docker-errors.js";
import { labelImage } from "./image-label.js";

/** Images through the Engine API: built from a tar context (tagged and labelled, with this server's instance, once built), tagged, removed. */
export class DockerImages {
  constructor(
    private readonly docker: Docker,
    private readonly instance: string,
    /** the label filter that selects what this server created */
    private readonly mine: string,
  ) {}

  async build(
    context: Readable,
    opts: { tag: string; labels: Record<string, string>; onLine: (line: string) => void; timeoutSec?: number },
  ): Promise<void> {
    // No tag and no labels on the tenant's build: both are added once it succeeded (labelImage).
    const abort = new AbortController();
    const timer = opts.timeoutSec ? setTimeout(() => abort.abort(), opts.timeoutSec * 1000) : undefined;
    const timedOut = () =>
      new AppError("build_timeout", `the build ran longer than the time limit of ${opts.timeoutSec} s and was stopped`);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(context, { rm: true, forcerm: true, abortSignal: abort.signal });
    } catch (e) {
      clearTimeout(timer);
      if (abort.signal.aborted) throw timedOut();
      if (statusOf(e) === undefined) throw unavailable(e);
      throw new AppError("build_failed", `the build could not start: ${(e as Error).message}`);
    }
    const tail: string[] = [];
    let error: string | null = null;
    let imageId: string | null = null;
    try {
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (err) => (err ? reject(err) : resolve()),
          (ev: { stream?: string; error?: string; status?: string; aux?: { ID?: string } }) => {
            if (ev.aux?.ID) imageId = ev.aux.ID;
            const text = ev.stream ?? ev.status ?? "";
            for (const line of splitLines(text)) {
              opts.onLine(line);
              tail.push(line);
              if (tail.length > 20) tail.shift();
            }
            if (ev.error) {
              error = ev.error;
              opts.onLine(ev.error.trimEnd());
            }
          },
        );
      });
    } catch (e) {
      // Closing the request makes dockerd cancel the build and remove its container.
      if (abort.signal.aborted) throw timedOut();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    if (error)
      throw new AppError("build_failed", `the build failed: ${String(error).trim()}`, undefined, {
        log: tail.join("\n"),
      });
    if (!imageId) throw new AppError("build_failed", "the build ended without an image");
    await labelImage(this.docker, imageId, opts.tag, { ...opts.labels, [LABEL.instance]: this.instance });
  }

  async imageExists(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).inspect();
      return true;
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw e;
    }
  }

  async removeAppImages(app: string): Promise<number> {
    // Its own builds (by label) and the images promoted to it from another app (by name).
    const repo = imageRepo(app);
    const lists = await Promise.all([
      this.docker.listImages({ filters: { label: [this.mine, `${LABEL.app}=${app}`] } }),
      this.docker.listImages({ filters: { label: [this.mine], reference: [repo] } }),
    ]);
    const ids = new Set(lists.flat().map((i) => i.Id));
    let n = 0;
    for (const id of ids) {
      // Inspect, not the list's RepoTags: a list filtered by reference shows only
      // the matching tags, so an image the source app of a promotion still runs
      // would look like this app's alone and be force-removed (a 409 conflict).
      const img = await this.docker
        .getImage(id)
        .inspect()
        .catch((e: unknown) => {
          if (statusOf(e) === 404) return null;
          throw e;
        });
      if (!img) continue;
      const tags = (img.RepoTags ?? []).filter((t) => t !== "<none>:<none>");
      const own = tags.filter((t) => t.startsWith(`${repo}:`));
      // An image another app also runs (a promotion) only loses this app's tags.
      const refs = own.length < tags.length ? own : [img.Id];
      for (const ref of refs) {
        try {
          await this.docker.getImage(ref).remove({ force: refs[0] === img.Id });
          n++;
        } catch (e) {
          if (statusOf(e) === 404) continue;
          if (statusOf(e) !== 409) throw e;
          // A running container or a child image (someone's build FROM it) holds it: the image stays, without
          // this app's tags, and the destroy goes on.
          for (const tag of ref === img.Id ? own : [])
            await this.docker
              .getImage(tag)
              .remove()
              .catch((e2: unknown) => {
                if (statusOf(e2) !== 404 && statusOf(e2) !== 409) throw e2;
              });
        }
      }
    }
    return n;
  }

  async tagImage(ref: string, repo: string, tag: string): Promise<string> {
    await this.docker.getImage(ref).tag({ repo, tag });
    return `${repo}:${tag}`;
  }

  async removeImage(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).remove({ force: true });
      return true;
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw e;
    }
  }
}
