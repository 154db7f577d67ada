import { Option } from "commander";
import type { Api, ClientConfig } from "../api-client.js";
import type { ProgressSink } from "../progress.js";

/**
 * What a command needs from the outside world. src/main/cli.ts wires the real
 * one (HTTP client, process.stdout, the clock); tests pass fakes, so commands
 * run without a server or a terminal.
 */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  /** The API client from `yk login` config and env; `override` is for `yk login` checking new credentials. */
  api(override?: ClientConfig): Api;
  /** Saves credentials after `yk login`; returns the config file path. */
  saveConfig(cfg: ClientConfig): Promise<string>;
  /** Standard output: results, tables, streamed logs. */
  out(text: string): void;
  /** where progress goes (stderr in the real CLI), and whether it is a terminal; none in tests */
  progress?: ProgressSink;
  now(): Date;
}

/** -a/--app, required, also read from YADOKARI_APP so a shell can pin one app. */
export function appOption(): Option {
  return new Option("-a, --app <app>", "app name").env("YADOKARI_APP").makeOptionMandatory();
}

export const jsonOption = (): Option => new Option("--json", "print the API's JSON instead of a table");
