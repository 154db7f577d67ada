import { useEffect, useState } from "preact/hooks";
import { api, setCsrf } from "../api";
import { described, ErrorNotice, Field } from "../ui";
import { FirstAdminForm } from "./first-admin";
import { useAction } from "../load";

export function LoginPage({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useAction();
  const [firstRun, setFirstRun] = useState(false);
  useEffect(() => {
    api<{ firstAdminNeeded: boolean }>("GET", "/session").then(
      (r) => setFirstRun(r.firstAdminNeeded),
      () => {},
    );
  }, []);
  const logIn = (mail: string, pass: string) =>
    run(async () => {
      const r = await api<{ csrf: string }>("POST", "/session", { email: mail, password: pass });
      setCsrf(r.csrf);
      onLoggedIn();
    });
  const submit = (e: Event) => {
    e.preventDefault();
    void logIn(email, password);
  };
  if (firstRun)
    return (
      <main id="main" class="login">
        <div class="brand">
          <img src="/assets/icon.svg" alt="" width={32} height={32} /> Yadokari
        </div>
        <FirstAdminForm
          onCreated={(mail, pass) => {
            setFirstRun(false);
            void logIn(mail, pass);
          }}
        />
      </main>
    );
  return (
    <main id="main" class="login">
      <div class="brand">
        <img src="/assets/icon.svg" alt="" width={32} height={32} /> Yadokari
      </div>
      <form class="panel" onSubmit={submit}>
        <h1>Log in</h1>
        <ErrorNotice error={error} />
        <Field id="email" label="Email">
          <input
            type="email"
            {...described("email")}
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
            autoComplete="username"
            required
          />
        </Field>
        <Field id="password" label="Password">
          <input
            type="password"
            {...described("password")}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            autoComplete="current-password"
            required
          />
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
        <p class="hint">
          No account yet? An admin adds you with <code>yk users:add EMAIL --role ROLE</code>.
        </p>
      </form>
    </main>
  );
}
