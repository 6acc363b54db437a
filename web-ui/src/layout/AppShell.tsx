import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { Avatar } from '../components/Avatar';
import { FullScreenLoader } from '../components/FullScreenLoader';
import { Icon } from '../components/Icon';
import { ToastProvider } from '../components/Toasts';
import { useMenu } from '../components/useMenu';
import { navItems } from './nav';

export function Logo() {
  return (
    <Link to="/" className="logo" aria-label="onair home">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--accent)" />
        <circle cx="16" cy="16" r="4.5" fill="#fff" />
        <path d="M9 9a10 10 0 0 0 0 14M23 9a10 10 0 0 1 0 14" stroke="#fff" strokeWidth="2.4" fill="none" strokeLinecap="round" />
      </svg>
      <span className="logo-text">onair</span>
    </Link>
  );
}

function ProfileMenu() {
  const { channel, signOut } = useAuth();
  const navigate = useNavigate();
  const { open, setOpen, ref, onMenuKeyDown } = useMenu();
  if (!channel) return null;
  return (
    <div className="menu-anchor" ref={ref}>
      <button
        type="button"
        className="profile-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label="Profile menu"
        onClick={() => setOpen((o) => !o)}
      >
        <Avatar avatar={channel.avatar} assetUrls={channel.channelAssetUrls} size={34} color={channel.color} />
      </button>
      {open && (
        <div className="menu" role="menu" aria-label="Profile" onKeyDown={onMenuKeyDown}>
          <div className="menu-header">
            {/* Decoration here: a menu holds items and text, not images. */}
            <span aria-hidden="true">
              <Avatar avatar={channel.avatar} assetUrls={channel.channelAssetUrls} size={40} color={channel.color} />
            </span>
            <div>
              <strong>{channel.username}</strong>
              <Link to={`/${channel.username}`} className="muted small" role="menuitem" onClick={() => setOpen(false)}>
                View my channel
              </Link>
            </div>
          </div>
          <Link to="/settings" role="menuitem" className="menu-item" onClick={() => setOpen(false)}>
            <Icon name="settings" /> Settings
          </Link>
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={async () => {
              setOpen(false);
              await signOut();
              navigate('/');
            }}
          >
            <Icon name="logout" /> Log out
          </button>
        </div>
      )}
    </div>
  );
}

function Header() {
  const { status } = useAuth();
  const location = useLocation();
  const signedIn = status === 'signedIn';
  const items = navItems.filter((i) => !i.auth || signedIn);
  return (
    <header className="topbar">
      <div className="topbar-inner">
        <Logo />
        <nav aria-label="Main" className="mainnav">
          {items.map((i) => (
            <NavLink key={i.to} to={i.to} end={i.to === '/'} className="navlink">
              <Icon name={i.icon} />
              <span>{i.label}</span>
            </NavLink>
          ))}
        </nav>
        <div className="topbar-actions">
          {signedIn ? (
            <ProfileMenu />
          ) : status === 'signedOut' ? (
            <>
              <Link to="/login" state={{ from: location }} className="btn btn-secondary btn-sm">Log in</Link>
              <Link to="/register" className="btn btn-sm">Sign up</Link>
            </>
          ) : null}
        </div>
      </div>
    </header>
  );
}

/** The app frame: header, navigation, the page, and the first-login provisioning screens. */
export function AppShell() {
  const { status, error, retryProvisioning, signOut } = useAuth();
  let content = <Outlet />;
  if (status === 'provisioning') {
    content = <FullScreenLoader label="Setting up your channel…" />;
  } else if (status === 'provisionFailed') {
    content = (
      <FullScreenLoader label="We couldn't set up your channel." failed>
        <p className="muted small" role="alert">{error}</p>
        <div className="row">
          <button className="btn" onClick={() => void retryProvisioning()}>Try again</button>
          <button className="btn btn-secondary" onClick={() => void signOut()}>Log out</button>
        </div>
      </FullScreenLoader>
    );
  }
  return (
    <ToastProvider>
      <a href="#main" className="skip-link">Skip to content</a>
      <Header />
      <div id="main" className="page" tabIndex={-1}>{content}</div>
    </ToastProvider>
  );
}
