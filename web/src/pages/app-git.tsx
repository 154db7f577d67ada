import { useState } from "preact/hooks";
import { api, ApiError, path, type DeliveryView, type DeployView, type GitInfoView, type ReviewAppsView } from "../api";
import { useAction, useLoad } from "../load";
import { Ago, ConfirmButton, described, ErrorNotice, Field } from "../ui";
import type { TabProps } from "./app";

/** The connected repository, and the form to connect one (or another). */
function RepositoryPanel({
  app,
  info,
  canChange,
  reload,
}: {
  app: string;
  info: GitInfoView;
  canChange: boolean;
  reload: () => void;
}) {
  const [url, setUrl] = useState("");
  const [branch, setBranch] = useState(info.repository?.branch ?? "main");
  const { busy, error, run } = useAction();
  const fieldError =
    error instanceof ApiError && ["invalid_repo_url", "invalid_ref"].includes(error.code)
      ? `${error.message}. ${error.hint}`
      : null;
  const connect = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await api("PUT", path("apps", app, "git"), { url, branch });
      setUrl("");
      reload();
    });
  };
  return (
    <section class="panel" aria-labelledby="h-repo">
      <h2 id="h-repo">Repository</h2>
      {info.repository ? (
        <dl class="facts">
          <dt>URL</dt>
          <dd class="mono wrap">{info.repository.url}</dd>
          <dt>Branch</dt>
          <dd>
            <code>{info.repository.branch}</code> <span class="small muted">pushes to it deploy {app}</span>
          </dd>
          <dt>Connected</dt>
          <dd>
            <Ago at={info.repository.connectedAt} />
          </dd>
        </dl>
      ) : (
        <p class="muted">No repository connected: pushes reach {app} only through its own git URL.</p>
      )}
      {canChange && (
        <form class="inline-form" onSubmit={connect} noValidate>
          <Field
            id="repo-url"
            label={info.repository ? "Connect another repository" : "Connect a repository"}
            hint="https://, ssh://, git:// or an absolute path on the server."
            error={fieldError}
          >
            <input
              type="text"
              {...described("repo-url", fieldError, true)}
              value={url}
              onInput={(e) => setUrl(e.currentTarget.value.trim())}
              placeholder="https://github.com/acme/web.git"
              autoComplete="off"
              spellcheck={false}
            />
          </Field>
          <Field id="repo-branch" label="Branch">
            <input
              type="text"
              {...described("repo-branch")}
              value={branch}
              onInput={(e) => setBranch(e.currentTarget.value.trim())}
              autoComplete="off"
              spellcheck={false}
            />
          </Field>
          <button type="submit" class="primary" disabled={busy || !url || !branch}>
            Connect
          </button>
          {error && !fieldError && <ErrorNotice error={error} />}
        </form>
      )}
    </section>
  );
}

/** Webhook URLs to paste into GitHub or GitLab, the secret (revealed or rotated on demand), the last deliveries. */
function WebhooksPanel({
  app,
  info,
  canChange,
  reload,
}: {
  app: string;
  info: GitInfoView;
  canChange: boolean;
  reload: () => void;
}) {
  const deliveries = useLoad(() => api<DeliveryView[]>("GET", path("apps", app, "hooks", "deliveries")), [app]);
  const [secret, setSecret] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const getSecret = (rotate: boolean) =>
    run(async () => {
      setSecret((await api<{ secret: string }>("POST", path("apps", app, "hooks", "secret"), { rotate })).secret);
      reload();
    });
  return (
    <section class="panel" aria-labelledby="h-hooks">
      <h2 id="h-hooks">Webhooks</h2>
      <dl class="facts">
        <dt>GitHub</dt>
        <dd class="mono wrap">{info.webhooks.github}</dd>
        <dt>GitLab</dt>
        <dd class="mono wrap">{info.webhooks.gitlab}</dd>
        <dt>Secret</dt>
        <dd>
          {secret ? (
            <>
              <span class="value">{secret}</span>{" "}
              <button type="button" class="linklike" onClick={() => setSecret(null)}>
                Hide secret
              </button>
            </>
          ) : info.webhooks.secretSet ? (
            <span class="masked" aria-label="secret hidden">
              ••••••••
            </span>
          ) : (
            <span class="muted">not made yet</span>
          )}
        </dd>
      </dl>
      <p class="small muted">
        GitHub: content type application/json, the secret as Secret, just the push event. GitLab: the secret as Secret
        token, push events.
      </p>
      {canChange && (
        <div class="row">
          <button type="button" disabled={busy} onClick={() => getSecret(false)}>
            {info.webhooks.secretSet ? "Reveal secret" : "Make the secret"}
          </button>
          {info.webhooks.secretSet && (
            <ConfirmButton
              label="Rotate secret"
              danger
              title={`Rotate the webhook secret of ${app}?`}
              body={<p>A new secret is made; deliveries signed with the old one are refused from now on.</p>}
              onConfirm={() => getSecret(true)}
            />
          )}
        </div>
      )}
      <ErrorNotice error={error} />
      <h3>Recent deliveries</h3>
      <ErrorNotice error={deliveries.error} />
      {deliveries.data && deliveries.data.length === 0 && <p class="muted">No deliveries yet.</p>}
      {deliveries.data && deliveries.data.length > 0 && (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">From</th>
                <th scope="col">Ref</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.map((d) => (
                <tr key={`${d.provider}-${d.deliveryId}`}>
                  <td data-label="Received">
                    <Ago at={d.createdAt} />
                  </td>
                  <td data-label="From">
                    {d.provider} {d.event}
                  </td>
                  <td data-label="Ref">
                    {d.ref ? <code>{d.ref.replace(/^refs\/heads\//, "")}</code> : "—"}
                    {d.commit && <span class="small muted mono"> {d.commit.slice(0, 7)}</span>}
                  </td>
                  <td data-label="Outcome" class="small">
                    {d.outcome}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Review apps: on or off with their TTL, the list with their URLs, one made for a branch, one destroyed. */
function ReviewAppsPanel({ app, canChange, connected }: { app: string; canChange: boolean; connected: boolean }) {
  const list = useLoad(() => api<ReviewAppsView>("GET", path("apps", app, "review-apps")), [app]);
  const [ttl, setTtl] = useState("7d");
  const [branch, setBranch] = useState("");
  const toggle = useAction();
  const create = useAction();
  const enabled = list.data?.enabled ?? false;
  const setEnabled = (on: boolean) =>
    toggle.run(async () => {
      await api("POST", path("apps", app, "review-apps", on ? "enable" : "disable"), on ? { ttl } : {});
      list.reload();
    });
  const createFor = (e: Event) => {
    e.preventDefault();
    void create.run(async () => {
      const r = await api<{ deploy: DeployView; reviewApp: { app: string } }>(
        "POST",
        path("apps", app, "review-apps"),
        { branch },
      );
      setBranch("");
      location.hash = `#/apps/${encodeURIComponent(r.reviewApp.app)}/deploys/${r.deploy.id}`;
    });
  };
  return (
    <section class="panel" aria-labelledby="h-review">
      <h2 id="h-review">Review apps</h2>
      <ErrorNotice error={list.error} />
      {list.data && (
        <p>
          {enabled
            ? `On: every pushed branch other than the app's own gets its own app, destroyed ${list.data.ttl} after its last push or when the branch is deleted.`
            : "Off: pushes of other branches make no review app."}
        </p>
      )}
      {canChange && list.data && (
        <div class="inline-form">
          {!enabled && (
            <Field id="review-ttl" label="Destroy after (TTL)" hint="e.g. 7d, 12h, 30m after the last push.">
              <input
                type="text"
                {...described("review-ttl", null, true)}
                value={ttl}
                onInput={(e) => setTtl(e.currentTarget.value.trim())}
                autoComplete="off"
              />
            </Field>
          )}
          {enabled ? (
            <ConfirmButton
              label="Disable review apps"
              danger
              confirmWord={app}
              title={`Disable review apps of ${app}?`}
              body={<p>Every review app of {app} is destroyed, and no new ones are made.</p>}
              onConfirm={() => setEnabled(false)}
            />
          ) : (
            <button type="button" class="primary" disabled={toggle.busy || !ttl} onClick={() => setEnabled(true)}>
              Enable review apps
            </button>
          )}
          <ErrorNotice error={toggle.error} />
        </div>
      )}
      {list.data && list.data.apps.length > 0 && (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Branch</th>
                <th scope="col">URL</th>
                <th scope="col">Release</th>
                <th scope="col">Last push</th>
                <th scope="col">
                  <span class="skip">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.apps.map((r) => (
                <tr key={r.app}>
                  <td data-label="Branch">
                    <a href={`#/apps/${encodeURIComponent(r.app)}`}>
                      <code>{r.branch}</code>
                    </a>
                  </td>
                  <td data-label="URL" class="wrap">
                    <a href={r.url} target="_blank" rel="noopener noreferrer">
                      {r.url.replace(/^https?:\/\//, "")}
                    </a>
                  </td>
                  <td data-label="Release">
                    {r.liveRelease ? `v${r.liveRelease}` : "—"}
                    {r.commit && <span class="small muted mono"> {r.commit.slice(0, 7)}</span>}
                  </td>
                  <td data-label="Last push">
                    <Ago at={r.lastPushAt} />
                  </td>
                  <td data-label="Actions">
                    {canChange && (
                      <ConfirmButton
                        label={`Destroy ${r.branch}`}
                        danger
                        title={`Destroy the review app of ${r.branch}?`}
                        body={<p>{r.app} is removed: containers, images, routes and records.</p>}
                        onConfirm={async () => {
                          await api(
                            "DELETE",
                            `${path("apps", app, "review-apps")}?branch=${encodeURIComponent(r.branch)}`,
                          );
                          list.reload();
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canChange && enabled && (
        <form class="inline-form" onSubmit={createFor} noValidate>
          <Field
            id="review-branch"
            label="Make one for a branch"
            hint={
              connected
                ? "From the connected repository, without waiting for a webhook."
                : "Connect a repository first."
            }
          >
            <input
              type="text"
              {...described("review-branch", null, true)}
              value={branch}
              onInput={(e) => setBranch(e.currentTarget.value.trim())}
              placeholder="feature/login"
              autoComplete="off"
              spellcheck={false}
              disabled={!connected}
            />
          </Field>
          <button type="submit" class="primary" disabled={create.busy || !branch || !connected}>
            Create review app
          </button>
          <ErrorNotice error={create.error} />
        </form>
      )}
    </section>
  );
}

export function GitTab({ app, canChange }: TabProps) {
  const info = useLoad(() => api<GitInfoView>("GET", path("apps", app.name, "git")), [app.name]);
  return (
    <>
      <section class="panel" aria-labelledby="h-push">
        <h2 id="h-push">Push with git</h2>
        <p>
          <code class="wrap">{app.gitUrl}</code>
        </p>
        <p class="small muted">
          <code>yk git:remote -a {app.name}</code> adds it as the remote <code>yadokari</code>, with <code>yk</code>{" "}
          answering git's password prompts with your token (none is written into the repository).
        </p>
      </section>
      <ErrorNotice error={info.error} />
      {info.data && <RepositoryPanel app={app.name} info={info.data} canChange={canChange} reload={info.reload} />}
      {info.data && <WebhooksPanel app={app.name} info={info.data} canChange={canChange} reload={info.reload} />}
      {info.data && !info.data.reviewOf && (
        <ReviewAppsPanel app={app.name} canChange={canChange} connected={!!info.data.repository} />
      )}
    </>
  );
}
