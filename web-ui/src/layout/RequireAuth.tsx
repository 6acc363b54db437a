import { Navigate, Outlet, useLocation } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { FullScreenLoader } from '../components/FullScreenLoader';

/** Sends signed-out visitors to /login, which brings them back here afterwards. */
export function RequireAuth() {
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'loading') return <FullScreenLoader label="Loading" />;
  if (status === 'signedOut') return <Navigate to="/login" replace state={{ from: location }} />;
  return <Outlet />;
}
