import type Docker from "dockerode";
import { AppError } from "../../errors/app-error.js";

export interface RegistryAuth {
  username: string;
  password: string;
  /** HOST:PORT[/path] */
  serveraddress: string;
}

/**
 * The reference nodes pull for a release image: the registry before the
 * image's own name, so yadokari/<app>:<commit> stays recognisable
 * (10.0.0.1:5443/yadokari/shop:abc1234). Pure.
 */
export function pullReference(registry: string, image: string): string {
  const at = image.lastIndexOf(":");
  if (at <= 0 || image.includes("@")) throw new AppError("internal", `not a repo:tag image reference: ${image}`);
  return `${registry.replace(/\/+$/, "")}/${image}`;
}

/**
 * Makes an image built on the manager's engine pullable by every node: tags
 * it with the registry's reference and pushes it (only the layers the
 * registry lacks travel). The manager keeps the tag, so its own tasks start
 * without a pull. Throws AppError registry_failed with the engine's words.
 */
export async function distributeImage(docker: Docker, image: string, auth: RegistryAuth): Promise<string> {
  const ref = pullReference(auth.serveraddress, image);
  const repo = ref.slice(0, ref.lastIndexOf(":"));
  const tag = ref.slice(ref.lastIndexOf(":") + 1);
  try {
    await docker.getImage(image).tag({ repo, tag });
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    if (status === 404) throw new AppError("image_gone", `the image ${image} is not on the manager's engine`);
    throw e;
  }
  const stream = (await docker.getImage(ref).push({ authconfig: auth })) as NodeJS.ReadableStream;
  let error: string | null = null;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err) => (err ? reject(err) : resolve()),
      (ev: { error?: string }) => {
        if (ev.error) error = ev.error;
      },
    );
  }).catch((e: Error) => {
    error = e.message;
  });
  if (error)
    throw new AppError("registry_failed", `pushing ${ref} failed: ${String(error).trim()}`, undefined, { image, ref });
  return ref;
}
