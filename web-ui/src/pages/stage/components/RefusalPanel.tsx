import { Link, useLocation } from 'react-router';
import type { Refusal } from '../refusals';

/** Why the visitor is not (or no longer) on the stage, and what they can do. */
export function RefusalPanel({ refusal, onRetry, onWatch }: { refusal: Refusal; onRetry?: () => void; onWatch?: () => void }) {
  const location = useLocation();
  return (
    <div className="state stage-refusal" role="alert" data-refusal={refusal.kind}>
      <h2>{refusal.title}</h2>
      <p>{refusal.message}</p>
      <div className="row">
        {refusal.signIn && <Link className="btn" to="/login" state={{ from: location }}>Log in</Link>}
        {refusal.watch && onWatch && <button type="button" className="btn btn-secondary" onClick={onWatch}>Watch instead</button>}
        {refusal.retry && onRetry && <button type="button" className="btn btn-secondary" onClick={onRetry}>Try again</button>}
        <Link className="btn btn-ghost" to="/">Back to the directory</Link>
      </div>
    </div>
  );
}
