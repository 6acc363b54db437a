import { Link, useRouteError } from 'react-router';

export function RouteError() {
  const err = useRouteError();
  return (
    <main className="state-page" role="alert">
      <h1>Something went wrong</h1>
      <p className="muted">{err instanceof Error ? err.message : 'This page could not be shown.'}</p>
      <div className="row">
        <button className="btn" onClick={() => window.location.reload()}>Reload</button>
        <Link className="btn btn-secondary" to="/">Back to directory</Link>
      </div>
    </main>
  );
}
