import { AppError } from "../errors/app-error.js";

/** Docker's "not found" and "not modified" answers are expected when cleaning up. */
export function statusOf(e: unknown): number | undefined {
  return (e as { statusCode?: number })?.statusCode;
}

export function unavailable(e: unknown): AppError {
  return new AppError("docker_unavailable", `the Docker engine did not answer: ${(e as Error).message}`);
}
