import { Navigate, useParams } from 'react-router';

/** /:username/<anything but profile> → /:username (reference §11.3). */
export default function ChannelRedirect() {
  const { username = '' } = useParams();
  return <Navigate to={`/${username}`} replace />;
}
