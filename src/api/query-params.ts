import { AppError } from "../errors/app-error.js";

/** `?follow=1`: a flag is 1, 0, true or false (or absent); anything else is refused, not read as false. */
export function flagParam(value: string | undefined, name: string): boolean {
  if (value === undefined || value === "0" || value === "false") return false;
  if (value === "1" || value === "true") return true;
  throw new AppError(
    "invalid_request",
    `${name} must be 1 or 0 (true or false); got ${JSON.stringify(value.slice(0, 40))}`,
  );
}

/** A whole number written in decimal digits (no "", " ", "0x10" or "1e3"), from `min` to `max`. */
export function countParam(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = /^[0-9]{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max))
    throw new AppError("invalid_request", `${name} must be a whole number from ${min} to ${max}`);
  return n;
}
