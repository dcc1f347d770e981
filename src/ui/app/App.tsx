// The app: signs in (a stored key, a #key= link or the form), then shows the routed page.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, ApiError } from '../api/client';
import type { Project } from '../api/types';
import { ComparePage } from '../pages/compare/ComparePage';
import { RunPage } from '../pages/run/RunPage';
import { RunsPage } from '../pages/runs/RunsPage';
import { SearchPage } from '../pages/search/SearchPage';
import { SearchesPage } from '../pages/searches/SearchesPage';
import { SubmitPage } from '../pages/submit/SubmitPage';
import { ApiContext } from './apiContext';
import { href, type Route } from './route';
import { forgetKey, storedKey, storeKey, takeKeyFromLocation } from './session';
import { SignIn } from './SignIn';
import { TopBar } from './TopBar';
import { useRoute } from './useRoute';

type Session = { state: 'checking' } | { state: 'out'; notice: string | null } | { state: 'in'; key: string; project: Project };

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'runs':
      return <RunsPage view={route.query} />;
    case 'run':
      return <RunPage key={route.id} id={route.id} />;
    case 'compare':
      return <ComparePage ids={route.ids} />;
    case 'searches':
      return <SearchesPage />;
    case 'search':
      return <SearchPage key={route.id} id={route.id} />;
    case 'submit':
      return <SubmitPage query={route.query} />;
    default:
      return (
        <div class="page">
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{route.hash}</code>. <a href={href.runs()}>Go to the runs</a>.
          </p>
        </div>
      );
  }
}

export function App({ linkKey }: { linkKey: string | null }) {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: 'checking' });

  const check = (key: string) =>
    new Api(key).project().then(
      (project) => {
        storeKey(key);
        setSession({ state: 'in', key, project });
      },
      (err) => {
        forgetKey();
        setSession({ state: 'out', notice: err instanceof ApiError && err.status === 401 ? 'That key was not accepted; sign in with another.' : `Could not check the key: ${(err as Error).message}` });
      },
    );

  useEffect(() => {
    const key = linkKey ?? storedKey();
    if (key) check(key);
    else setSession({ state: 'out', notice: null });
    // A #key= link opened in a tab that already runs the dashboard arrives as a hash change.
    const onHash = () => {
      const k = takeKeyFromLocation();
      if (k) check(k);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const signOut = (notice: string | null = null) => {
    forgetKey();
    setSession({ state: 'out', notice });
  };

  const api = useMemo(() => (session.state === 'in' ? new Api(session.key, () => signOut('The server no longer accepts this key; sign in again.')) : null), [session.state === 'in' ? session.key : null]);

  useEffect(() => {
    const title = { runs: 'Runs', run: 'Run', compare: 'Compare', searches: 'Searches', search: 'Search', submit: 'Submit', notFound: 'Not found' }[route.page];
    document.title = `${title} · Trainyard`;
  }, [route.page]);

  if (session.state === 'checking') return <p class="page muted" role="status">Checking your key…</p>;
  if (session.state === 'out' || !api)
    return (
      <SignIn
        notice={session.state === 'out' ? session.notice : null}
        onSignedIn={(key, project) => {
          storeKey(key);
          setSession({ state: 'in', key, project });
        }}
      />
    );
  return (
    <ApiContext.Provider value={api}>
      <TopBar route={route} projectName={session.project.name} onSignOut={() => signOut()} />
      <main id="main" tabIndex={-1} key={session.key}>
        <Page route={route} />
      </main>
    </ApiContext.Provider>
  );
}
