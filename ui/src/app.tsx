import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi, describeError, loadConfig, type UiConfig } from './api';
import { AppContext, type AppContextValue, isUnauthorized } from './context';
import { FlowPage, Flows } from './flows';
import { ProjectField } from './project-field';
import { formatHash, parseHash, type Route, screenOf } from './route';
import { isProjectId, lastProject, loadSession, type Session, saveSession } from './session';
import { SignIn } from './sign-in';
import { EditWebhook, NewWebhook } from './webhook-editor';
import { WebhookPage } from './webhook-page';
import { Webhooks } from './webhooks';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [config, setConfig] = useState<UiConfig>({ namespace: 'default' });
  const route = useRoute();
  const screen = screenOf(route);

  const signIn = (next: Session) => {
    saveSession(next);
    setSession(next);
    setError(null);
    setNotice('');
  };
  const signOut = (message: string | null) => {
    saveSession(null);
    setSession(null);
    setError(message);
    setNotice('');
  };
  const report = (err: unknown) => {
    if (isUnauthorized(err)) signOut(describeError(err));
    else setError(describeError(err));
  };

  useEffect(() => {
    loadConfig().then(setConfig, (err: unknown) =>
      setError(`The page's settings did not load (${describeError(err)}); workflow links are off.`),
    );
  }, []);

  // A new screen starts clean, with the focus on its heading, as a page load would.
  const firstScreen = useRef(true);
  const carried = useRef('');
  useLayoutEffect(() => {
    if (firstScreen.current) {
      firstScreen.current = false;
      return;
    }
    setError(null);
    setNotice(carried.current);
    carried.current = '';
    const heading = document.querySelector('main h2');
    if (heading instanceof HTMLElement) heading.focus();
  }, [screen]);

  // Signing in or out replaces the whole screen: the focus goes to where the work continues.
  const signedIn = session !== null;
  const firstSession = useRef(true);
  useLayoutEffect(() => {
    if (firstSession.current) {
      firstSession.current = false;
      return;
    }
    const target = document.querySelector(signedIn ? 'main h2' : '#sign-in-token');
    if (target instanceof HTMLElement) target.focus();
  }, [signedIn]);

  const token = session?.token;
  const api = useMemo(() => (token ? createApi(token) : null), [token]);
  const context: AppContextValue | null =
    api && session
      ? {
          api,
          projectId: session.projectId,
          config,
          report,
          notify: setNotice,
          navigate: (next, message) => {
            const hash = formatHash(next);
            if (message !== undefined && screenOf(parseHash(hash)) !== screen) carried.current = message;
            else if (message !== undefined) setNotice(message);
            location.hash = hash;
          },
        }
      : null;

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <h1>Hookline activity</h1>
        {session && (
          <ProjectBar
            projectId={session.projectId}
            onSwitch={(projectId) => {
              signIn({ ...session, projectId });
              location.hash = formatHash({ name: 'home' });
            }}
            onSignOut={() => signOut(null)}
          />
        )}
      </header>
      <div class="messages">
        {error && (
          <div class="alert-box">
            <p role="alert">{error}</p>
            <button type="button" onClick={() => setError(null)}>
              Dismiss
            </button>
          </div>
        )}
        <p role="status" class="notice">
          {notice}
        </p>
      </div>
      <main id="main" tabIndex={-1}>
        {context ? (
          <AppContext.Provider value={context}>
            <Screen route={route} />
          </AppContext.Provider>
        ) : (
          <SignIn
            initialProject={lastProject()}
            onSignedIn={(token, projectId) => signIn({ token, projectId })}
            report={report}
            clearError={() => setError(null)}
          />
        )}
      </main>
    </>
  );
}

/** The project's overview: its webhooks, then its flows; "Refresh" on either reloads both. */
function Home() {
  const [signal, setSignal] = useState(0);
  const onRefresh = () => setSignal((n) => n + 1);
  return (
    <>
      <Webhooks signal={signal} onRefresh={onRefresh} />
      <Flows signal={signal} onRefresh={onRefresh} />
    </>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <Home />;
    case 'new-webhook':
      return <NewWebhook />;
    case 'webhook':
      return <WebhookPage key={route.id} id={route.id} tab={route.tab} />;
    case 'edit-webhook':
      return <EditWebhook key={route.id} id={route.id} />;
    case 'flow':
      return <FlowPage key={route.id} id={route.id} />;
  }
}

/** The signed-in project, a way to switch to another, and "Sign out". */
function ProjectBar(props: { projectId: string; onSwitch: (projectId: string) => void; onSignOut: () => void }) {
  const [switching, setSwitching] = useState(false);
  const [value, setValue] = useState(props.projectId);
  const input = useRef<HTMLInputElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  // Opening the form focuses its input; closing it, the button that opened it.
  const mounted = useRef(false);
  useLayoutEffect(() => {
    if (mounted.current) (switching ? input : toggle).current?.focus();
    mounted.current = true;
  }, [switching]);

  const cancel = () => {
    setSwitching(false);
    setValue(props.projectId);
  };

  if (switching) {
    return (
      <form
        class="project-bar"
        onSubmit={(e) => {
          e.preventDefault();
          const projectId = value.trim();
          if (!isProjectId(projectId)) return;
          setSwitching(false);
          props.onSwitch(projectId);
        }}
      >
        <ProjectField id="switch-project" inputRef={input} value={value} onValue={setValue} onEscape={cancel} />
        <button type="submit" class="primary">
          Switch
        </button>
        <button type="button" onClick={cancel}>
          Cancel
        </button>
      </form>
    );
  }
  return (
    <div class="project-bar">
      <span>
        Project <strong>{props.projectId}</strong>
      </span>
      <button type="button" ref={toggle} onClick={() => setSwitching(true)}>
        Switch project
      </button>
      <button type="button" onClick={props.onSignOut}>
        Sign out
      </button>
    </div>
  );
}
