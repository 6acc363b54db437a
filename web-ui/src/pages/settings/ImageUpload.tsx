// Upload of an avatar or banner: checks type and size, presigned POST to
// S3, preview through preferences/update, then waits until the processed
// (CDN) URL replaces the preview.

import { useRef, useState } from 'react';
import { uploadWithPresignedPost } from '../../api/client';
import type { AssetType, MyChannel } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Icon } from '../../components/Icon';
import { useToast } from '../../components/Toasts';
import { useApi } from '../../services';

export const FILE_TYPES = ['image/jpeg', 'image/jpg', 'image/png'];
export const MAX_BYTES: Record<AssetType, number> = { avatar: 1_000_000, banner: 5_000_000 };
const LABEL: Record<AssetType, string> = { avatar: 'avatar', banner: 'banner' };

/** The client-side check of a chosen file; null when it may be uploaded. */
export function checkImage(file: { type: string; size: number }, type: AssetType): string | null {
  if (!FILE_TYPES.includes(file.type)) return "Can't select the file you chose. Use a JPG or PNG image.";
  if (file.size > MAX_BYTES[type]) return 'Image exceeded max file size';
  return null;
}

/** Whether the browser can show the image at url (a private S3 URL cannot). */
function canLoad(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(true);
    img.onerror = () => resolve(false);
    img.src = url;
  });
}

/**
 * Waits until the profile holds an image URL viewers can load: the upload
 * event swaps the S3 preview for the CDN URL (reference §11.6 polls until
 * the URL is no longer S3's). Offline the two are the same readable URL.
 */
async function waitProcessed(get: () => Promise<MyChannel>, type: AssetType, preview: string): Promise<MyChannel | null> {
  for (let i = 0; i < 40; i++) {
    const c = await get();
    const url = c.channelAssetUrls?.[type];
    if (url && (url !== preview || (await canLoad(url)))) return c;
    await new Promise((r) => setTimeout(r, i < 10 ? 500 : 1500));
  }
  return null;
}

export function useImageUpload(type: AssetType) {
  const api = useApi();
  const toast = useToast();
  const { reloadChannel, setChannel } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const upload = async (file: File) => {
    const problem = checkImage(file, type);
    setError(problem);
    if (problem) return;
    setBusy(true);
    try {
      const post = await api.createAssetUpload(type, file.type);
      const preview = await uploadWithPresignedPost(post, file, file.type);
      await api.updatePreferences(
        type === 'avatar' ? { avatar: { name: 'custom', ...preview } } : { banner: { name: 'custom', ...preview } },
      );
      await reloadChannel();
      const done = await waitProcessed(api.getChannel, type, preview.previewUrl);
      if (done) setChannel(done);
      toast.success(type === 'avatar' ? 'Avatar saved' : 'Profile banner uploaded');
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The image could not be uploaded.');
      toast.error(`Failed to upload the ${LABEL[type]} image`);
    } finally {
      setBusy(false);
    }
  };
  return { upload, busy, error, setError };
}

export function UploadButton({ type, label }: { type: AssetType; label: string }) {
  const input = useRef<HTMLInputElement>(null);
  const { upload, busy, error } = useImageUpload(type);
  return (
    <div className="upload">
      <input
        ref={input}
        type="file"
        accept={FILE_TYPES.join(',')}
        className="sr-only"
        aria-label={label}
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void upload(f);
        }}
      />
      <button type="button" className="btn btn-secondary btn-sm" onClick={() => input.current?.click()} disabled={busy} aria-busy={busy}>
        <Icon name="upload" size={16} /> {busy ? 'Uploading…' : label}
      </button>
      <p className="hint">File format: JPG, JPEG, PNG (Max {MAX_BYTES[type] / 1_000_000} MB)</p>
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}

export function DeleteImageButton({ type }: { type: AssetType }) {
  const api = useApi();
  const toast = useToast();
  const { reloadChannel } = useAuth();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOpen(true)}>
        <Icon name="trash" size={16} /> Delete {LABEL[type]} image
      </button>
      <ConfirmDialog
        open={open}
        title={`Delete ${LABEL[type]} image`}
        confirmLabel="Delete image"
        danger
        onCancel={() => setOpen(false)}
        onConfirm={async () => {
          try {
            await api.deleteAsset(type);
            await reloadChannel();
            toast.success(type === 'avatar' ? 'Avatar image deleted' : 'Profile banner image deleted');
          } catch {
            toast.error(`Failed to delete the ${LABEL[type]} image`);
          } finally {
            setOpen(false);
          }
        }}
      >
        Are you sure you want to delete your {LABEL[type]} image?
      </ConfirmDialog>
    </>
  );
}
