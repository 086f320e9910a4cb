import { useState } from 'preact/hooks';
import { createApi } from './api';
import { ProjectField } from './project-field';

interface Props {
  initialProject: string;
  onSignedIn: (token: string, projectId: string) => void;
  report: (err: unknown) => void;
  clearError: () => void;
}

/** The token is checked with a `webhooks.list` of the project before the page keeps it. */
export function SignIn({ initialProject, onSignedIn, report, clearError }: Props) {
  const [token, setToken] = useState('');
  const [project, setProject] = useState(initialProject);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const projectId = project.trim();
    const candidate = token.trim();
    setBusy(true);
    clearError();
    try {
      await createApi(candidate).webhooks.list.query({ projectId, limit: 1 });
      onSignedIn(candidate, projectId);
    } catch (err) {
      report(err);
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="sign-in-heading">
      <h2 id="sign-in-heading">Sign in</h2>
      <form onSubmit={submit}>
        <div class="field">
          <label for="sign-in-token">API token</label>
          <input
            id="sign-in-token"
            type="password"
            autocomplete="off"
            required
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <ProjectField id="sign-in-project" value={project} onValue={setProject} />
        </div>
        <button type="submit" class="primary" aria-disabled={busy ? 'true' : 'false'}>
          Sign in
        </button>
        {busy && <span class="muted small"> Checking the token…</span>}
      </form>
    </section>
  );
}
