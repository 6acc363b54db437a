// The stream manager's overlays: one button per action (Amazon product only
// when enabled), the modal of each, the overlay viewers see now with its
// countdown and "Stop", and the presets stored on the server.

import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ActiveAction, StreamActionName, StreamActionPresets } from '../../api/types';
import { useApi, useConfig } from '../../services';
import { Icon, type IconName } from '../../components/Icon';
import { useToast } from '../../components/Toasts';
import { ACTION_LABELS } from './overlayForms';
import { OverlayDialog } from './OverlayDialog';
import { onlyKnown, withoutPreset, withPreset } from './presets';

const ICONS: Record<StreamActionName, IconName> = {
  quiz: 'chat',
  product: 'gift',
  amazon_product: 'cart',
  notice: 'megaphone',
  celebration: 'heart',
};

function useNow(active: boolean) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

export function Overlays({ live }: { live: boolean }) {
  const api = useApi();
  const config = useConfig();
  const toast = useToast();
  const qc = useQueryClient();
  const [open, setOpen] = useState<StreamActionName | null>(null);

  const presets = useQuery({ queryKey: ['overlayPresets'], queryFn: api.getStreamActionPresets });
  const active = useQuery({ queryKey: ['overlayActive'], queryFn: api.getActiveStreamAction, refetchInterval: 15_000 });
  const current: ActiveAction | undefined = active.data?.name ? active.data : undefined;
  const expiry = current?.expiry ? Date.parse(current.expiry) : undefined;
  const now = useNow(!!current);
  const left = expiry !== undefined ? Math.max(0, Math.ceil((expiry - now) / 1000)) : undefined;
  const total = expiry !== undefined && current?.startTime ? Math.max(1, (expiry - Date.parse(current.startTime)) / 1000) : undefined;
  const shown = current && (left === undefined || left > 0) && live ? current : undefined;

  // The server clears the active action when it expires or the stream ends; so do we.
  useEffect(() => {
    if (current && left === 0) qc.setQueryData(['overlayActive'], {});
  }, [current, left, qc]);
  useEffect(() => {
    if (!live) qc.setQueryData(['overlayActive'], {});
  }, [live, qc]);

  const savePresets = async (next: StreamActionPresets) => {
    const saved = await api.putStreamActionPresets(onlyKnown(next));
    qc.setQueryData(['overlayPresets'], saved ?? next);
  };

  const stop = useMutation({
    mutationFn: api.stopStreamAction,
    onSuccess: (a) => {
      qc.setQueryData(['overlayActive'], a ?? {});
      toast.success('Overlay stopped');
    },
    onError: (e) => toast.error((e as Error).message || 'Unable to stop the overlay'),
  });

  const names: StreamActionName[] = ['quiz', 'product', ...(config.enableAmazonProductStreamAction ? (['amazon_product'] as const) : []), 'notice', 'celebration'];

  return (
    <section className="card card-pad overlays" aria-labelledby="overlays-title">
      <div className="section-head">
        <h2 id="overlays-title">Overlays</h2>
        {!live && <span className="muted small">Overlays reach viewers while you are live.</span>}
      </div>
      {shown && (
        <div className="active-overlay" role="status" aria-label="Active overlay">
          <div className="countdown" style={{ ['--p' as string]: total && left !== undefined ? String(left / total) : '1' }}>
            <span>{left !== undefined ? `${left}s` : 'On'}</span>
          </div>
          <div className="grow">
            <strong>{ACTION_LABELS[shown.name!].title}</strong>
            <div className="muted small">
              {left !== undefined ? `${left} s left` : 'Shown until you stop it'}
            </div>
          </div>
          <button type="button" className="btn btn-danger btn-sm" onClick={() => stop.mutate()} disabled={stop.isPending}>
            Stop
          </button>
        </div>
      )}
      <div className="overlay-buttons">
        {names.map((n) => (
          <button
            key={n}
            type="button"
            className={`overlay-button ${shown?.name === n ? 'is-active' : ''}`}
            onClick={() => setOpen(n)}
            aria-haspopup="dialog"
          >
            <Icon name={ICONS[n]} size={22} />
            <span>{ACTION_LABELS[n].button}</span>
            {presets.data?.[n] && <span className="preset-dot" title="Preset saved" aria-hidden="true" />}
          </button>
        ))}
      </div>
      {open && (
        <OverlayDialog
          name={open}
          preset={presets.data?.[open]}
          live={live}
          onClose={() => setOpen(null)}
          onSend={async (name, data) => {
            const a = await api.sendStreamAction(name, data);
            qc.setQueryData(['overlayActive'], a);
            toast.success(ACTION_LABELS[name].started);
            setOpen(null);
          }}
          onSavePreset={(name, data) => savePresets(withPreset(presets.data ?? {}, name, data))}
          onDeletePreset={(name) => savePresets(withoutPreset(presets.data ?? {}, name))}
        />
      )}
    </section>
  );
}
