import type Docker from "dockerode";
import type { Readable } from "node:stream";
import { AppError } from "../errors/app-error.js";
import { LABEL } from "./port.js";
import { splitLines } from "../lib/lines.js";
import { imageRepo } from "../domain/names.js";
import { statusOf, unavailable } from "./docker-errors.js";

/** Images through the Engine API: built from a tar context (stamped with this server's instance), tagged, removed. */
export class DockerImages {
  constructor(
    private readonly docker: Docker,
    private readonly instance: string,
    /** the label filter that selects what this server created */
    private readonly mine: string,
  ) {}

  async build(
    context: Readable,
    opts: { tag: string; labels: Record<string, string>; onLine: (line: string) => void },
  ): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(context, {
        t: opts.tag,
        labels: { ...opts.labels, [LABEL.instance]: this.instance },
        rm: true,
        forcerm: true,
      });
    } catch (e) {
      if (statusOf(e) === undefined) throw unavailable(e);
      throw new AppError("build_failed", `the build could not start: ${(e as Error).message}`);
    }
    const tail: string[] = [];
    let error: string | null = null;
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err) => (err ? reject(err) : resolve()),
        (ev: { stream?: string; error?: string; status?: string }) => {
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
    if (error)
      throw new AppError("build_failed", `the build failed: ${String(error).trim()}`, undefined, {
        log: tail.join("\n"),
      });
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
          if (statusOf(e) !== 404) throw e;
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
