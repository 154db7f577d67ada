import assert from "node:assert/strict";
import type { Api } from "../api-client.js";

/**
 * An Api for CLI unit tests: records every call and answers from a table keyed
 * by "METHOD path [json body]". A list answer is consumed one item per call
 * where `inTurn(key)` says so (a deploy polled until it ends), and returned
 * whole otherwise (an endpoint that answers with a list).
 */
export class FakeApi implements Api {
  calls: string[] = [];
  constructor(
    private readonly answers: Record<string, unknown> = {},
    private readonly logLines: string[] = [],
    private readonly inTurn: (key: string) => boolean = () => false,
  ) {}

  private answer(key: string): unknown {
    this.calls.push(key);
    if (!(key in this.answers)) throw new Error(`unexpected call ${key}`);
    const a = this.answers[key];
    return Array.isArray(a) && this.inTurn(key) ? a.shift() : a;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.answer(`${method} ${path}${body === undefined ? "" : " " + JSON.stringify(body)}`) as T;
  }

  async upload<T>(path: string, data: Uint8Array, contentType: string): Promise<T> {
    assert.ok(data.length > 0);
    return this.answer(`UPLOAD ${path} ${contentType}`) as T;
  }

  async *lines(path: string): AsyncIterable<string> {
    this.calls.push(`LINES ${path}`);
    yield* this.logLines;
  }
}
