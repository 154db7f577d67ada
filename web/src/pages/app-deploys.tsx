import { useEffect, useState } from "preact/hooks";
import { api, ApiError, path, streamLines, upload, type DeployView } from "../api";
import { useAction, useLoad } from "../load";
import { Ago, Badge, described, ErrorNotice, Field, LogBox } from "../ui";
import type { TabProps } from "./app";
import { COMMIT_SHA } from "../../../src/domain/ids.js";

const finished = (status: string) => status === "succeeded" || status === "failed" || status === "superseded";

/** Deploy from the browser: a tar or tar.gz of the source with its Dockerfile, as `yk deploy` sends it. */
function UploadForm({ app }: { app: string }) {
  const [file, setFile] = useState<File | null>(null);
  const { busy, error, run } = useAction();
  const problem =
    file && !/\.(tar|tar\.gz|tgz)$/i.test(file.name)
      ? "Choose a .tar, .tar.gz or .tgz file of the app's source (with its Dockerfile at the root)."
      : null;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file || problem) return;
    await run(async () => {
      const type = /\.tar$/i.test(file.name) ? "application/x-tar" : "application/gzip";
      const d = await upload<DeployView>(path("apps", app, "builds"), file, type);
      location.hash = `#/apps/${encodeURIComponent(app)}/deploys/${d.id}`;
    });
  };
  return (
    <form onSubmit={submit} class="inline-form">
      <Field
        id="source"
        label="Source archive"
        hint="A .tar.gz of the directory with the Dockerfile (what 'yk deploy' sends). Or push with git."
        error={problem}
      >
        <input
          id="source"
          type="file"
          accept=".tar,.gz,.tgz,application/gzip,application/x-tar"
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          aria-invalid={problem ? "true" : undefined}
        />
      </Field>
      <button type="submit" class="primary" disabled={!file || !!problem || busy}>
        {busy ? "Uploading…" : "Deploy"}
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}

interface GitInfo {
  repository: { url: string; branch: string } | null;
}

/** Deploy a branch (by default the connected one) or one commit of it from the app's connected repository. */
function GitDeployForm({ app, repo }: { app: string; repo: { url: string; branch: string } }) {
  const [branch, setBranch] = useState(repo.branch);
  const [commit, setCommit] = useState("");
  const { busy, error, run } = useAction();
  const commitProblem =
    commit && !COMMIT_SHA.test(commit)
      ? "A full 40-character lowercase commit SHA, or leave it empty for the branch's head."
      : null;
  const branchError =
    error instanceof ApiError && error.code === "invalid_ref" ? `${error.message}. ${error.hint}` : null;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (commitProblem || !branch) return;
    await run(async () => {
      const d = await api<DeployView>("POST", path("apps", app, "git", "deploy"), {
        branch,
        ...(commit ? { commit } : {}),
      });
      location.hash = `#/apps/${encodeURIComponent(app)}/deploys/${d.id}`;
    });
  };
  return (
    <form onSubmit={submit} class="inline-form" noValidate>
      <Field id="git-branch" label="Branch" hint={`From ${repo.url}`} error={branchError}>
        <input
          type="text"
          {...described("git-branch", branchError, true)}
          value={branch}
          onInput={(e) => setBranch(e.currentTarget.value)}
          autoComplete="off"
          spellcheck={false}
        />
      </Field>
      <Field id="git-commit" label="Commit (optional)" error={commitProblem}>
        <input
          type="text"
          {...described("git-commit", commitProblem)}
          value={commit}
          onInput={(e) => setCommit(e.currentTarget.value.trim())}
          placeholder="the branch's head"
          autoComplete="off"
          spellcheck={false}
        />
      </Field>
      <button type="submit" class="primary" disabled={busy || !branch || !!commitProblem}>
        {busy ? "Fetching…" : "Deploy from git"}
      </button>
      {error && !branchError && <ErrorNotice error={error} />}
    </form>
  );
}

/** One deploy: its steps, its reason when it failed, and its build-and-deploy log as it happens. */
function DeployDetail({ app, id, version }: { app: string; id: string; version: string }) {
  const [tick, setTick] = useState(0);
  const deploy = useLoad(() => api<DeployView>("GET", path("apps", app, "deploys", id)), [app, id, version, tick]);
  const [lines, setLines] = useState<string[]>([]);
  const [logError, setLogError] = useState<unknown>(null);
  useEffect(() => {
    const ctl = new AbortController();
    const buf: string[] = [];
    setLines([]);
    let pending = false;
    const flush = () => {
      pending = false;
      setLines([...buf]);
    };
    streamLines(
      `${path("apps", app, "deploys", id, "log")}?follow=1`,
      (l) => {
        buf.push(l);
        if (!pending) {
          pending = true;
          setTimeout(flush, 100);
        }
      },
      ctl.signal,
    )
      .then(() => setTick((t) => t + 1))
      .catch((e) => setLogError(e));
    return () => ctl.abort();
  }, [app, id]);
  // steps change without the app's status changing: poll while the deploy runs
  useEffect(() => {
    if (!deploy.data || finished(deploy.data.status)) return;
    const t = setTimeout(() => setTick((x) => x + 1), 1500);
    return () => clearTimeout(t);
  }, [deploy.data]);
  const d = deploy.data;
  return (
    <section class="panel" aria-labelledby="h-deploy">
      <h2 id="h-deploy">
        Deploy #{id} {d && <Badge status={d.status} />}
      </h2>
      <ErrorNotice error={deploy.error} />
      {d && (
        <>
          <p class="small muted">
            {d.source}
            {d.commit ? ` ${d.commit.slice(0, 7)}` : ""}
            {d.ref ? ` (${d.ref.replace(/^refs\/heads\//, "")})` : ""} · started <Ago at={d.createdAt} />
            {d.releaseVersion ? <> · release v{d.releaseVersion}</> : null}
          </p>
          <ol class="steps" aria-label="Steps">
            {d.steps.map((s) => (
              <li class={s.status}>
                {s.name}: {s.status}
              </li>
            ))}
          </ol>
          {d.status === "failed" && (
            <div class="notice error" role="alert">
              <strong>{d.reason ?? "The deploy failed."}</strong>
              {d.errorCode && <p class="small muted">{d.errorCode}</p>}
              <p>The previous release kept serving.</p>
              {d.containerLog && <pre class="log">{d.containerLog}</pre>}
            </div>
          )}
          {d.status === "superseded" && d.supersededBy && (
            <div class="notice">Superseded by deploy #{d.supersededBy}, which carries its changes.</div>
          )}
          {d.status === "succeeded" && d.urls[0] && (
            <div class="notice ok">
              Live at{" "}
              <a href={d.urls[0]} target="_blank" rel="noopener noreferrer">
                {d.urls[0]}
              </a>
            </div>
          )}
        </>
      )}
      <h3>Log</h3>
      <ErrorNotice error={logError} />
      <LogBox lines={lines} label={`Log of deploy ${id}`} />
    </section>
  );
}

const PAGE = 20;

export function DeploysTab({ app, version, canChange, sub }: TabProps) {
  // paging back: each "Older" remembers where the page it left started (the API's `before`)
  const [pages, setPages] = useState<number[]>([]);
  const before = pages.at(-1);
  const list = useLoad(
    () =>
      api<DeployView[]>(
        "GET",
        `${path("apps", app.name, "deploys")}?limit=${PAGE}${before ? `&before=${before}` : ""}`,
      ),
    [app.name, version, before],
  );
  const git = useLoad(() => api<GitInfo>("GET", path("apps", app.name, "git")), [app.name]);
  const repo = git.data?.repository ?? null;
  return (
    <>
      {canChange && (
        <section class="panel" aria-labelledby="h-new-deploy">
          <h2 id="h-new-deploy">Deploy</h2>
          <div class="subsection">
            <h3>From the connected repository</h3>
            {repo ? (
              <GitDeployForm app={app.name} repo={repo} />
            ) : (
              <p class="small muted">
                Connect a repository (<code>yk git:connect -a {app.name} URL</code>) to deploy a branch or commit from
                here.
              </p>
            )}
          </div>
          <div class="subsection">
            <h3>Upload the source</h3>
            <UploadForm app={app.name} />
          </div>
        </section>
      )}
      {sub && <DeployDetail key={sub} app={app.name} id={sub} version={version} />}
      <section class="panel" aria-labelledby="h-deploys">
        <h2 id="h-deploys">Deploys</h2>
        <ErrorNotice error={list.error} />
        {list.data && list.data.length === 0 && <p class="muted">{before ? "No older deploys." : "No deploys yet."}</p>}
        {list.data && list.data.length > 0 && (
          <div class="table-wrap">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Status</th>
                  <th scope="col">Source</th>
                  <th scope="col">Release</th>
                  <th scope="col">Started</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((d) => (
                  <tr key={d.id}>
                    <td data-label="Deploy">
                      <a
                        href={`#/apps/${encodeURIComponent(app.name)}/deploys/${d.id}`}
                        aria-current={sub === String(d.id) ? "page" : undefined}
                      >
                        #{d.id}
                      </a>
                    </td>
                    <td data-label="Status">
                      <Badge status={d.status} />
                    </td>
                    <td data-label="Source">
                      {d.source}
                      {d.ref ? <code> {d.ref.replace(/^refs\/heads\//, "")}</code> : null}
                      {d.commit ? <code> {d.commit.slice(0, 7)}</code> : null}
                    </td>
                    <td data-label="Release">{d.releaseVersion ? `v${d.releaseVersion}` : "—"}</td>
                    <td data-label="Started">
                      <Ago at={d.createdAt} />
                    </td>
                    <td data-label="Reason" class="small wrap">
                      {d.reason || null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {(before || (list.data && list.data.length === PAGE)) && (
          <div class="row pager">
            <button type="button" disabled={!before} onClick={() => setPages(pages.slice(0, -1))}>
              Newer deploys
            </button>
            <button
              type="button"
              disabled={!list.data || list.data.length < PAGE}
              onClick={() => list.data && setPages([...pages, list.data[list.data.length - 1].id])}
            >
              Older deploys
            </button>
          </div>
        )}
      </section>
    </>
  );
}
