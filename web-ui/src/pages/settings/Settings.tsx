// /settings — channel (colour, avatar, banner), stream (key, ingest,
// playback, OBS) and account (username, password, deletion) settings.

import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { AVATARS, BANNERS, PROFILE_COLORS, type PreferencesUpdate } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { friendlyError } from '../../auth/messages';
import { validateNewPassword, validateUsername, type Errors } from '../../auth/validation';
import { AnimalSvg, Avatar } from '../../components/Avatar';
import { Banner } from '../../components/ChannelCard';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyField } from '../../components/CopyField';
import { FormField } from '../../components/FormField';
import { Icon } from '../../components/Icon';
import { useToast } from '../../components/Toasts';
import { useApi } from '../../services';
import { DeleteImageButton, UploadButton } from './ImageUpload';
import { formatBlockedWords, parseBlockedWords } from './blockedWords';

function Section({ title, description, children }: { title: string; description?: string; children: React.ReactNode }) {
  return (
    <section className="card card-pad settings-section" aria-label={title}>
      <h2>{title}</h2>
      {description && <p className="muted small">{description}</p>}
      {children}
    </section>
  );
}

function usePreferences() {
  const api = useApi();
  const toast = useToast();
  const { reloadChannel } = useAuth();
  return async (prefs: PreferencesUpdate, saved: string) => {
    try {
      await api.updatePreferences(prefs);
      await reloadChannel();
      toast.success(saved);
    } catch {
      toast.error('Your changes could not be saved');
    }
  };
}

function ChannelSettings() {
  const { channel } = useAuth();
  const save = usePreferences();
  if (!channel) return null;
  const custom = channel.avatar === 'custom' && channel.channelAssetUrls?.avatar;
  return (
    <Section title="Channel" description="How your channel looks in the directory, on your page and in chat.">
      <div className="settings-preview">
        <div className="settings-banner"><Banner channel={channel} /></div>
        <Avatar avatar={channel.avatar} assetUrls={channel.channelAssetUrls} size={72} color={channel.color} className="settings-preview-avatar" />
      </div>

      <h3 id="color-label">Color</h3>
      <div className="swatches" role="radiogroup" aria-labelledby="color-label">
        {PROFILE_COLORS.map((c) => (
          <button
            key={c}
            type="button"
            role="radio"
            aria-checked={channel.color === c}
            aria-label={c}
            className="swatch"
            style={{ background: `var(--profile-${c})`, color: `var(--on-profile-${c})` }}
            onClick={() => channel.color !== c && void save({ color: { name: c } }, 'Color saved')}
          >
            {channel.color === c && <Icon name="check" size={18} />}
          </button>
        ))}
      </div>

      <h3 id="avatar-label">Avatar</h3>
      <div className="avatar-grid" role="radiogroup" aria-labelledby="avatar-label">
        {AVATARS.map((a) => (
          <button
            key={a}
            type="button"
            role="radio"
            aria-checked={channel.avatar === a}
            aria-label={a}
            className="avatar-choice"
            onClick={() => channel.avatar !== a && void save({ avatar: { name: a } }, 'Avatar saved')}
          >
            <AnimalSvg name={a} />
          </button>
        ))}
        {custom && (
          <button type="button" role="radio" aria-checked={channel.avatar === 'custom'} aria-label="uploaded image" className="avatar-choice">
            <img src={channel.channelAssetUrls!.avatar} alt="" />
          </button>
        )}
      </div>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        <UploadButton type="avatar" label="Upload avatar" />
        {channel.channelAssetUrls?.avatar && <DeleteImageButton type="avatar" />}
      </div>

      <h3 id="banner-label">Profile banner</h3>
      <div className="banner-preview"><Banner channel={channel} /></div>
      <div className="banner-grid" role="radiogroup" aria-labelledby="banner-label">
        {BANNERS.map((b) => (
          <button
            key={b}
            type="button"
            role="radio"
            aria-checked={channel.banner === b}
            aria-label={b}
            className={`banner-choice banner-art banner-${b}`}
            onClick={() => channel.banner !== b && void save({ banner: { name: b } }, 'Profile banner saved')}
          />
        ))}
      </div>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        <UploadButton type="banner" label="Upload banner" />
        {channel.channelAssetUrls?.banner && <DeleteImageButton type="banner" />}
      </div>
    </Section>
  );
}

function StreamSettings() {
  const api = useApi();
  const toast = useToast();
  const { channel, setChannel } = useAuth();
  const [confirm, setConfirm] = useState(false);
  if (!channel) return null;
  const basic = channel.channelConfiguration?.type === 'BASIC';
  return (
    <Section title="Stream" description="Use these in OBS (or any RTMP encoder) to go live. Keep your stream key secret: anyone with it can stream to your channel.">
      <div className="stack">
        <CopyField label="Stream key" value={channel.streamKeyValue ?? ''} secret />
        <div>
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => setConfirm(true)}>
            <Icon name="refresh" size={16} /> Reset stream key
          </button>
        </div>
        <CopyField label="Ingest server" value={channel.ingestServerUrl ?? ''} hint="OBS: Settings → Stream → Service “Custom…”, Server = this URL." />
        <CopyField label="Ingest endpoint" value={channel.ingestEndpoint ?? ''} />
        {channel.srt?.endpoint && <CopyField label="SRT endpoint" value={channel.srt.endpoint} />}
        {channel.srt?.passphrase && <CopyField label="SRT passphrase" value={channel.srt.passphrase} secret />}
        <CopyField label="Playback URL" value={channel.playbackUrl ?? ''} />
        <details className="obs">
          <summary>Recommended OBS settings</summary>
          <ul>
            <li>Output → Encoder: x264 or hardware H.264; Rate control: CBR</li>
            <li>Bitrate: {basic ? 'up to 3,500 kbps (BASIC channel: 480p–1080p input, transcoded to one rendition)' : 'up to 8,500 kbps (STANDARD channel: up to 1080p60, transcoded to several renditions)'}</li>
            <li>Keyframe interval: 2 s; Profile: main or high; Tune: zerolatency</li>
            <li>Audio: AAC, 48 kHz, stereo, 160 kbps</li>
          </ul>
        </details>
        <p className="muted">
          No encoder? <Link to="/manager">Go live from web</Link> with your camera, microphone or screen, right in the browser.
        </p>
      </div>
      <ConfirmDialog
        open={confirm}
        title="Reset stream key"
        confirmLabel="Reset stream key"
        danger
        onCancel={() => setConfirm(false)}
        onConfirm={async () => {
          try {
            const { streamKeyValue } = await api.resetStreamKey();
            setChannel({ ...channel, streamKeyValue });
            toast.success('Stream key reset');
          } catch {
            toast.error('Failed to reset the stream key');
          } finally {
            setConfirm(false);
          }
        }}
      >
        Are you sure you would like to reset your stream key? Your current live stream will be terminated, and your encoder
        needs the new key to go live again.
      </ConfirmDialog>
    </Section>
  );
}

function BlockedWordsForm() {
  const { channel } = useAuth();
  const save = usePreferences();
  const stored = formatBlockedWords(channel?.blockedWords);
  const [text, setText] = useState(stored);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!channel) return null;
  return (
    <form
      className="form"
      aria-label="Chat moderation"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const r = parseBlockedWords(text);
        if (r.error !== null) {
          setError(r.error);
          return;
        }
        setBusy(true);
        await save({ blockedWords: r.words }, 'Blocked words saved');
        setText(formatBlockedWords(r.words));
        setBusy(false);
      }}
    >
      <div className="inline-form">
        <FormField
          label="Blocked words"
          name="blockedWords"
          value={text}
          onChange={(e) => { setText(e.target.value); setError(null); }}
          error={error}
          hint="Separated by commas. Chat messages holding one of them as a whole word, in any case, are not delivered."
        />
        <button type="submit" className="btn" disabled={busy || text === stored}>Save</button>
      </div>
    </form>
  );
}

function UsernameForm() {
  const api = useApi();
  const toast = useToast();
  const { channel, reloadChannel } = useAuth();
  const [name, setName] = useState(channel?.username ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!channel) return null;
  const changed = name.trim() !== channel.username;
  return (
    <form
      className="form"
      aria-label="Change username"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const v = validateUsername(name);
        setError(v);
        if (v) return;
        setBusy(true);
        try {
          await api.updateUsername(name.trim());
          await reloadChannel();
          toast.success('Username saved. Use it the next time you log in.');
        } catch (err) {
          setError(friendlyError(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>Username</h3>
      <div className="inline-form">
        <FormField label="Username" name="username" autoComplete="username" value={name} onChange={(e) => { setName(e.target.value); setError(null); }} error={error} hint={`Your channel: ${window.location.host}/${name.trim() || channel.username}`} />
        <button type="submit" className="btn" disabled={!changed || busy}>Save</button>
      </div>
    </form>
  );
}

function PasswordForm() {
  const { channel, backend } = useAuth();
  const [form, setForm] = useState({ currentPassword: '', newPassword: '', confirmPassword: '' });
  const [errors, setErrors] = useState<Errors<'currentPassword' | 'newPassword' | 'confirmPassword'>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <form
      className="form"
      aria-label="Change password"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const v = validateNewPassword(form);
        setErrors(v);
        setError(null);
        if (Object.keys(v).length || !channel) return;
        setBusy(true);
        try {
          await backend.changePassword(form.currentPassword, form.newPassword);
          // Sign every other device out, then this one back in.
          await backend.globalSignOut();
          await backend.signIn(channel.username, form.newPassword);
          setForm({ currentPassword: '', newPassword: '', confirmPassword: '' });
          setDone(true);
        } catch (err) {
          const code = (err as { code?: string }).code;
          setError(code === 'NotAuthorizedException' ? 'Your current password is incorrect.' : friendlyError(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>Password</h3>
      <FormField label="Current password" type="password" autoComplete="current-password" value={form.currentPassword} onChange={set('currentPassword')} error={errors.currentPassword} />
      <FormField label="New password" type="password" autoComplete="new-password" value={form.newPassword} onChange={set('newPassword')} error={errors.newPassword} />
      <FormField label="Confirm password" type="password" autoComplete="new-password" value={form.confirmPassword} onChange={set('confirmPassword')} error={errors.confirmPassword} />
      {error && <div className="alert alert-error" role="alert">{error}</div>}
      <div><button type="submit" className="btn" disabled={busy || !form.currentPassword || !form.newPassword}>Save</button></div>
      <ConfirmDialog open={done} title="Password updated" confirmLabel="OK" cancelLabel="Close" onCancel={() => setDone(false)} onConfirm={() => setDone(false)}>
        Your password has been updated. This change will log out your sessions on all other devices.
      </ConfirmDialog>
    </form>
  );
}

function DeleteAccount() {
  const api = useApi();
  const toast = useToast();
  const navigate = useNavigate();
  const { signOut } = useAuth();
  const [open, setOpen] = useState(false);
  return (
    <div className="danger-zone">
      <div>
        <h3>Delete account</h3>
        <p className="muted small">Your channel, stream sessions, images, follows and chat room are deleted. This cannot be undone.</p>
      </div>
      <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>Delete account</button>
      <ConfirmDialog
        open={open}
        title="Delete account"
        confirmLabel="Delete account"
        danger
        onCancel={() => setOpen(false)}
        onConfirm={async () => {
          try {
            await api.deleteAccount();
          } catch {
            toast.error('Your account could not be deleted. Try again.');
            setOpen(false);
            return;
          }
          await signOut('Your account has been successfully deleted.');
          navigate('/login', { replace: true });
        }}
      >
        Are you sure you would like to delete your account?
      </ConfirmDialog>
    </div>
  );
}

export default function Settings() {
  return (
    <main className="container container-narrow">
      <h1>Settings</h1>
      <div className="stack" style={{ gap: 'var(--space-5)' }}>
        <ChannelSettings />
        <StreamSettings />
        <Section title="Chat" description="Moderation of your channel's chat.">
          <BlockedWordsForm />
        </Section>
        <Section title="Account">
          <div className="stack" style={{ gap: 'var(--space-5)' }}>
            <UsernameForm />
            <PasswordForm />
            <DeleteAccount />
          </div>
        </Section>
      </div>
    </main>
  );
}
