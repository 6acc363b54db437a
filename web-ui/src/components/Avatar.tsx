// Profile pictures: the 14 preset animals are drawn as inline SVG (no
// image requests); `custom` shows the uploaded image.

import type { ChannelAssetUrls } from '../api/types';

type Ears = 'round' | 'pointed' | 'floppy' | 'horns' | 'ossicones' | 'spikes' | 'none' | 'tentacles' | 'beak' | 'mane' | 'wool';
interface Animal {
  bg: string;
  head: string;
  snout: string;
  ears: Ears;
  stripes?: boolean;
}

const animals: Record<string, Animal> = {
  bear: { bg: '#f5d0a9', head: '#8b5a2b', snout: '#d9b38c', ears: 'round' },
  bird: { bg: '#bde0fe', head: '#ffb703', snout: '#fb8500', ears: 'beak' },
  bird2: { bg: '#caffbf', head: '#3a86ff', snout: '#ffbe0b', ears: 'beak' },
  dog: { bg: '#ffd6a5', head: '#c68642', snout: '#f1d3b3', ears: 'floppy' },
  dog2: { bg: '#e4c1f9', head: '#f4f1de', snout: '#3d405b', ears: 'floppy' },
  dog3: { bg: '#a0c4ff', head: '#5e503f', snout: '#c6ac8f', ears: 'pointed' },
  giraffe: { bg: '#fdffb6', head: '#f4a259', snout: '#f6d5a7', ears: 'ossicones' },
  hedgehog: { bg: '#ffc6ff', head: '#6f4e37', snout: '#e6ccb2', ears: 'spikes' },
  hippo: { bg: '#9bf6ff', head: '#8e7dbe', snout: '#b8a9e3', ears: 'round' },
  horse: { bg: '#ffadad', head: '#7f5539', snout: '#b08968', ears: 'mane' },
  ibex: { bg: '#d8f3dc', head: '#a68a64', snout: '#d4c4a8', ears: 'horns' },
  jellyfish: { bg: '#cdb4db', head: '#ff8fab', snout: '#ffc2d1', ears: 'tentacles' },
  sheep: { bg: '#b9fbc0', head: '#fefae0', snout: '#5c4d3c', ears: 'wool' },
  tiger: { bg: '#fec89a', head: '#f77f00', snout: '#fff3e0', ears: 'pointed', stripes: true },
};

function earsFor(a: Animal) {
  const h = a.head;
  switch (a.ears) {
    case 'round':
      return (<><circle cx="17" cy="17" r="7" fill={h} /><circle cx="47" cy="17" r="7" fill={h} /></>);
    case 'pointed':
      return (<><path d="M12 26 15 8l12 10z" fill={h} /><path d="M52 26 49 8 37 18z" fill={h} /></>);
    case 'floppy':
      return (<><ellipse cx="13" cy="30" rx="6" ry="12" fill={a.snout} transform="rotate(15 13 30)" /><ellipse cx="51" cy="30" rx="6" ry="12" fill={a.snout} transform="rotate(-15 51 30)" /></>);
    case 'horns':
      return (<><path d="M22 16C16 8 10 8 8 12c5-1 9 2 12 7z" fill="#6b4f2a" /><path d="M42 16c6-8 12-8 14-4-5-1-9 2-12 7z" fill="#6b4f2a" /></>);
    case 'ossicones':
      return (<><path d="M23 18V8" stroke={h} strokeWidth="3" /><circle cx="23" cy="7" r="3" fill="#8a5a2b" /><path d="M41 18V8" stroke={h} strokeWidth="3" /><circle cx="41" cy="7" r="3" fill="#8a5a2b" /></>);
    case 'spikes':
      return <path d="M8 34 6 22l8 4 0-12 8 7 4-11 6 9 6-9 4 11 8-7v12l8-4-2 12z" fill="#4a3426" />;
    case 'mane':
      return (<><path d="M20 14l4-8 4 8M36 14l4-8 4 8" fill={h} /><path d="M26 10c4-4 8-4 12 0v8H26z" fill="#3b2416" /></>);
    case 'wool':
      return (<>{[14, 22, 32, 42, 50].map((x) => <circle key={x} cx={x} cy={x % 20 === 2 ? 18 : 20} r="8" fill="#f2efe4" />)}</>);
    case 'tentacles':
      return (<>{[20, 27, 34, 41].map((x) => <path key={x} d={`M${x} 44c-3 6 3 8 0 14`} stroke={a.head} strokeWidth="3" fill="none" strokeLinecap="round" />)}</>);
    default:
      return null;
  }
}

export function AnimalSvg({ name }: { name: string }) {
  const a = animals[name] ?? animals.bear;
  const beak = a.ears === 'beak';
  const jelly = a.ears === 'tentacles';
  return (
    <svg viewBox="0 0 64 64" width="100%" height="100%" aria-hidden="true" focusable="false">
      <rect width="64" height="64" fill={a.bg} />
      {!jelly && earsFor(a)}
      {jelly ? (
        <>
          {earsFor(a)}
          <path d="M12 40a20 20 0 0 1 40 0z" fill={a.head} />
        </>
      ) : (
        <circle cx="32" cy="36" r="19" fill={a.head} />
      )}
      {a.stripes && <path d="M14 30h7M14 38h6M43 30h7M44 38h6M32 17v6" stroke="#3d2b1f" strokeWidth="2.5" strokeLinecap="round" />}
      <circle cx="25" cy={jelly ? 32 : 33} r="2.6" fill="#1d1d1f" />
      <circle cx="39" cy={jelly ? 32 : 33} r="2.6" fill="#1d1d1f" />
      {beak ? (
        <path d="M28 39h8l-4 6z" fill={a.snout} />
      ) : jelly ? (
        <path d="M29 36q3 3 6 0" stroke="#1d1d1f" strokeWidth="1.8" fill="none" strokeLinecap="round" />
      ) : (
        <>
          <ellipse cx="32" cy="43" rx="8" ry="6" fill={a.snout} />
          <ellipse cx="32" cy="41" rx="2.6" ry="1.8" fill="#1d1d1f" />
        </>
      )}
    </svg>
  );
}

export interface AvatarProps {
  avatar?: string;
  assetUrls?: ChannelAssetUrls;
  username?: string;
  size?: number;
  color?: string;
  live?: boolean;
  className?: string;
}

/** The profile picture: an uploaded image when avatar is "custom", else the preset animal. */
export function Avatar({ avatar, assetUrls, username, size = 40, color, live, className }: AvatarProps) {
  const custom = avatar === 'custom' && assetUrls?.avatar;
  return (
    <span
      className={['avatar', live ? 'avatar-live' : '', className ?? ''].join(' ').trim()}
      style={{ width: size, height: size, ['--ring' as string]: color ? `var(--profile-${color})` : undefined }}
      role="img"
      aria-label={username ? `${username}'s avatar` : 'avatar'}
    >
      {custom ? <img src={assetUrls!.avatar} alt="" loading="lazy" /> : <AnimalSvg name={avatar ?? 'bear'} />}
    </span>
  );
}
