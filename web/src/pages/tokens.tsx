import { useState } from "preact/hooks";
import { api, path, type Me, type TokenView } from "../api";
import { useLoad } from "../load";
import { Ago, ConfirmButton, described, ErrorNotice, Field } from "../ui";

export function TokensPage({ me }: { me: Me }) {
  const list = useLoad(() => api<TokenView[]>("GET", "/tokens"), []);
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const t = await api<TokenView & { token: string }>("POST", "/tokens", { name: name || "token" });
      setSecret(t.token);
      setName("");
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <div class="page-head">
        <div>
          <h1>API tokens</h1>
          <p>
            Personal tokens for the CLI and CI: <code>yk login --url URL --token TOKEN</code>. They act as you, with
            your role.
          </p>
        </div>
      </div>
      {secret && (
        <div class="notice ok" role="status">
          <strong>Token created. Copy it now: it is not shown again.</strong>
          <p>
            <code>{secret}</code>
          </p>
        </div>
      )}
      <section class="panel" aria-labelledby="h-tokens">
        <h2 id="h-tokens">Your tokens</h2>
        <ErrorNotice error={list.error} />
        {list.data && list.data.length === 0 && <p class="muted">None yet.</p>}
        {list.data && list.data.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span class="skip">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>
                      <Ago at={t.createdAt} />
                    </td>
                    <td>{t.lastUsedAt ? <Ago at={t.lastUsedAt} /> : <span class="muted">never</span>}</td>
                    <td>
                      <ConfirmButton
                        label={`Revoke ${t.name}`}
                        danger
                        title={`Revoke ${t.name}?`}
                        body={<p>Anything using it stops working at once.</p>}
                        onConfirm={async () => {
                          await api("DELETE", path("tokens", t.id));
                          list.reload();
                        }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {me.via === "session" || me.name !== "admin" ? (
        <form class="panel inline-form" onSubmit={create} aria-labelledby="h-new-token">
          <h2 id="h-new-token" class="skip">
            New token
          </h2>
          <Field id="token-name" label="New token" hint="What it is for, e.g. ci or laptop.">
            <input
              type="text"
              {...described("token-name", null, true)}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              autoComplete="off"
            />
          </Field>
          <button type="submit" class="primary">
            Create token
          </button>
          <ErrorNotice error={error} />
        </form>
      ) : null}
    </>
  );
}
