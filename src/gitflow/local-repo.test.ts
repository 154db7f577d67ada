import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAppError } from "../errors/app-error.js";
import { checkLocalRepo } from "./local-repo.js";

test("local paths: admins only, never inside the data dir, also through a link", () => {
  const dir = mkdtempSync(join(tmpdir(), "yk-localrepo-"));
  try {
    const data = join(dir, "data");
    mkdirSync(join(data, "git", "b.git"), { recursive: true });
    symlinkSync(join(data, "git"), join(dir, "alias"));
    const code = (fn: () => void) => {
      try {
        fn();
        return null;
      } catch (e) {
        return isAppError(e) ? e.code : "other";
      }
    };
    assert.equal(
      code(() => checkLocalRepo("/srv/repo.git", data, false)),
      "forbidden",
    );
    assert.equal(
      code(() => checkLocalRepo("/srv/repo.git", data, true)),
      null,
    );
    assert.equal(
      code(() => checkLocalRepo(join(data, "git", "b.git"), data, true)),
      "invalid_repo_url",
    );
    assert.equal(
      code(() => checkLocalRepo(data, data, true)),
      "invalid_repo_url",
    );
    assert.equal(
      code(() => checkLocalRepo(join(dir, "alias", "b.git"), data, true)),
      "invalid_repo_url",
    );
    assert.equal(
      code(() => checkLocalRepo(join(dir, "alias", "new.git"), data, true)),
      "invalid_repo_url",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
