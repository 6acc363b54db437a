// The navigation. `auth: true` items show only when signed in. Part 2's
// pages (stream manager, stream health, stages) add their items here when
// their routes exist.

export interface NavItem {
  to: string;
  label: string;
  icon: 'home' | 'heart' | 'broadcast' | 'pulse' | 'users';
  auth?: boolean;
}

export const navItems: NavItem[] = [
  { to: '/', label: 'Home', icon: 'home' },
  { to: '/following', label: 'Following', icon: 'heart', auth: true },
  { to: '/manager', label: 'Stream manager', icon: 'broadcast', auth: true },
  { to: '/health', label: 'Stream health', icon: 'pulse', auth: true },
  { to: '/stage', label: 'Stage', icon: 'users', auth: true },
];
