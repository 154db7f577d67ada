import { useState } from "preact/hooks";
import { api, ApiError, type AppView } from "../api";
import { described, ErrorNotice, Field } from "../ui";
import { useAction } from "../load";
import { appNameProblem } from "../validate";

export function NewAppPage() {
  const [name, setName] = useState("");
  const [touched, setTouched] = useState(false);
  const { busy, error, run } = useAction();
  const local = touched ? appNameProblem(name) : null;
  // the API's message goes next to the field when it is about the name
  const fieldError =
    local ??
    (error instanceof ApiError && ["invalid_name", "app_exists"].includes(error.code)
      ? `${error.message}. ${error.hint}`
      : null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setTouched(true);
    if (appNameProblem(name)) return;
    await run(async () => {
      const app = await api<AppView>("POST", "/apps", { name });
      location.hash = `#/apps/${encodeURIComponent(app.name)}/deploys`;
    });
  };
  return (
    <>
      <div class="page-head">
        <div>
          <h1>New app</h1>
          <p>An app gets its own hostname and runs each release you deploy to it.</p>
        </div>
      </div>
      <form class="panel" onSubmit={submit} noValidate>
        {error && !fieldError && <ErrorNotice error={error} />}
        <Field
          id="app-name"
          label="App name"
          hint="Lowercase letters, digits and '-', up to 30 characters, starting with a letter."
          error={fieldError}
        >
          <input
            type="text"
            {...described("app-name", fieldError, true)}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            onBlur={() => setTouched(true)}
            autoComplete="off"
            spellcheck={false}
          />
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Creating…" : "Create app"}
        </button>
      </form>
    </>
  );
}
