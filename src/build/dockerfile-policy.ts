import { AppError } from "../errors/app-error.js";
import { imageRepo } from "../domain/names.js";
import {
  expandVars,
  jsonArgs,
  lexWord,
  parseDockerfile,
  rawWords,
  shellWords,
  type Instruction,
} from "./dockerfile-parse.js";

/**
 * What a tenant's Dockerfile may not do, checked before the build starts
 * (docs/security.md says why):
 * - claim Yadokari's labels (`LABEL yadokari.…`): the classic builder runs
 *   each RUN step in a container carrying the image's labels so far, and
 *   labels are how Docker objects say whose they are;
 * - make dockerd fetch a URL (`ADD http://…`): dockerd fetches it itself, on
 *   the host's network (its loopback included) and follows redirects, so no
 *   build network or address check can contain it;
 * - build on an image that is neither the app's own nor an approved base
 *   (`FROM yadokari/<other app>`, `COPY --from=<image>`): another app's image
 *   holds its code and files.
 * - set ONBUILD triggers: they would run in the build that labels the image.
 * Pure: the Dockerfile's text and the policy in, an AppError out.
 */

export interface BuildPolicy {
  /** the app being built: its own images are `yadokari/<app>:…` */
  app: string;
  /** approved base images: repository names, `prefix/*` for a namespace (YADOKARI_BUILD_BASE_IMAGES, plus yadokari-local/*) */
  baseImages: readonly string[];
}

export const DEFAULT_BASE_IMAGES = ["yadokari-local/*"] as const;

const refuse = (ins: Instruction, why: string, hint?: string) =>
  new AppError("dockerfile_refused", `Dockerfile line ${ins.line}: ${ins.keyword} ${why}`, hint);

const LABEL_HINT =
  "Labels starting with 'yadokari' are Yadokari's own: they say which app, release and process a container is. Rename the label.";
const ADD_HINT =
  "Copy files from the source with COPY, or download them in a RUN step (it runs in the build container, not on the host). See docs/security.md.";
const FROM_HINT =
  "Build FROM an approved base image (yadokari-local/*, or those the admin lists in YADOKARI_BUILD_BASE_IMAGES) or one of this app's own images (yadokari/APP:TAG).";

export function checkDockerfile(text: string, policy: BuildPolicy): void {
  const { escape, instructions } = parseDockerfile(text);
  const globalArgs = new Map<string, string>();
  const stages: string[] = []; // lower-case stage names, in order ("" when unnamed)
  for (const ins of instructions) {
    if (ins.keyword === "ARG" && stages.length === 0) {
      for (const { word } of shellWords(ins.args, escape)) {
        const eq = word.indexOf("=");
        globalArgs.set(eq < 0 ? word : word.slice(0, eq), eq < 0 ? "" : word.slice(eq + 1));
      }
      continue;
    }
    if (ins.keyword === "FROM") {
      const words = shellWords(ins.args, escape)
        .map((w) => w.word)
        .filter((w) => !w.startsWith("--"));
      const ref = expandVars(words[0] ?? "", globalArgs, escape);
      if (!stages.includes(ref.toLowerCase()) && ref !== "scratch") checkImage(ins, ref, policy);
      stages.push(words[1]?.toUpperCase() === "AS" && words[2] ? words[2].toLowerCase() : "");
      continue;
    }
    checkInstruction(ins, escape, stages, policy);
  }
}

/** Every instruction but FROM and global ARGs. */
function checkInstruction(ins: Instruction, escape: string, stages: string[], policy: BuildPolicy): void {
  switch (ins.keyword) {
    case "LABEL":
      return checkLabel(ins, escape);
    case "ADD":
      return checkAdd(ins, escape);
    case "COPY":
      return checkCopyFrom(ins, escape, stages, policy);
    case "ONBUILD":
      // Triggers run in a later build FROM this image; Yadokari makes one to label it, where they have no place.
      throw refuse(
        ins,
        "is refused: a trigger would run in the step where Yadokari labels the image",
        "Write the instructions directly in the Dockerfile that needs them.",
      );
  }
}

/** `LABEL k=v k2=v2` or the old `LABEL k v`: no key may mention yadokari, nor be a variable that could. */
function checkLabel(ins: Instruction, escape: string): void {
  const words = rawWords(ins.args, escape);
  const rawKeys = words.length > 0 && !words[0].includes("=") ? [words[0]] : words.map((w) => w.split("=")[0]);
  for (const rawKey of rawKeys) {
    const { word: key, dollar } = lexWord(rawKey, escape);
    if (/yadokari/i.test(key))
      throw refuse(
        ins,
        `sets the label ${JSON.stringify(key)}: labels starting with 'yadokari' are refused`,
        LABEL_HINT,
      );
    if (dollar)
      throw refuse(
        ins,
        `sets a label whose key is a variable (${JSON.stringify(key)}): write label keys literally`,
        LABEL_HINT,
      );
  }
}

/** ADD's sources: no URL (in any spelling the lexer accepts) and no variable that could hold one. */
function checkAdd(ins: Instruction, escape: string): void {
  const words = shellWords(ins.args, escape);
  const flags = words.findIndex((w) => !w.word.startsWith("--"));
  const rest = flags < 0 ? "" : ins.args.slice(ins.args.indexOf(rawWords(ins.args, escape)[flags]));
  const exec = jsonArgs(rest);
  const positional = exec
    ? exec.map((word) => ({ word, dollar: word.includes("$") }))
    : words.slice(Math.max(flags, 0));
  for (const src of positional.slice(0, -1)) {
    if (src.word.includes("://") || /^git@/i.test(src.word))
      throw refuse(ins, `of a URL (${JSON.stringify(src.word.slice(0, 100))}) is refused`, ADD_HINT);
    if (src.dollar)
      throw refuse(
        ins,
        `with a variable in its source (${JSON.stringify(src.word.slice(0, 100))}) is refused`,
        ADD_HINT,
      );
  }
}

/** COPY --from=X: an earlier stage (by name or index) or an image the app may use. */
function checkCopyFrom(ins: Instruction, escape: string, stages: string[], policy: BuildPolicy): void {
  for (const { word, dollar } of shellWords(ins.args, escape)) {
    if (!word.startsWith("--")) break;
    const m = /^--from=(.*)$/i.exec(word);
    if (!m) continue;
    const from = m[1];
    if (dollar) throw refuse(ins, `--from with a variable (${JSON.stringify(from)}) is refused`, FROM_HINT);
    if (/^[0-9]+$/.test(from) && Number(from) < stages.length) continue;
    if (stages.includes(from.toLowerCase())) continue;
    checkImage(ins, from, policy);
  }
}

/** A repository[:tag] that is the app's own or an approved base; no registry host, no digest, no image id. */
function checkImage(ins: Instruction, ref: string, policy: BuildPolicy): void {
  const what = ins.keyword === "FROM" ? "FROM" : "--from";
  const shown = JSON.stringify(ref.slice(0, 120));
  if (ref === "") throw refuse(ins, "names no image", FROM_HINT);
  if (ref.includes("@"))
    throw refuse(ins, `image ${shown} is refused: name images by repository and tag, not by digest`, FROM_HINT);
  const m =
    /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?$/.exec(ref);
  if (!m) throw refuse(ins, `image ${shown} is not a plain repository[:tag] name`, FROM_HINT);
  const repo = m[1];
  const first = repo.split("/")[0];
  if (repo.includes("/") && (first.includes(".") || first === "localhost"))
    throw refuse(ins, `image ${shown} names a registry: builds use local images only`, FROM_HINT);
  if (repo === imageRepo(policy.app)) return;
  if (repo.startsWith("yadokari/"))
    throw refuse(ins, `${what} ${shown} is another app's image: a build may use its own app's images only`, FROM_HINT);
  if (policy.baseImages.some((p) => baseMatches(p, repo))) return;
  throw refuse(ins, `${what} ${shown} is not an approved base image (${policy.baseImages.join(", ")})`, FROM_HINT);
}

/** `prefix/*` matches every repository in that namespace; anything else matches one repository. */
export function baseMatches(pattern: string, repo: string): boolean {
  if (pattern.endsWith("/*")) return repo.startsWith(pattern.slice(0, -1)) && repo.length > pattern.length - 1;
  return pattern === repo;
}

/**
 * YADOKARI_BUILD_BASE_IMAGES: comma- or space-separated repositories or `namespace/*`, with yadokari-local/*
 * always; undefined when an entry is not one (or names yadokari/*, the apps' own images), so the server
 * refuses the setting at start.
 */
export function parseBaseImages(value: string): string[] | undefined {
  const entries = value
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter((x) => x !== "");
  if (entries.some((x) => !/^[a-z0-9][a-z0-9._/-]{0,254}(\/\*)?$/.test(x) || x.startsWith("yadokari/")))
    return undefined;
  return [...new Set([...DEFAULT_BASE_IMAGES, ...entries])];
}
