// Offline no email leaves the machine: say where it went (make dev's output
// and the stack's mailbox), or a new developer waits for mail that never comes.

import { offlineMailboxUrl } from '../../config';
import { useConfig } from '../../services';

export function OfflineMailHint({ to }: { to?: string }) {
  const url = offlineMailboxUrl(useConfig(), to);
  if (!url) return null;
  return (
    <p className="muted small" data-testid="offline-mail-hint">
      Offline stack: no email is sent. The message is printed in <code>make dev</code>'s output and kept in the{' '}
      <a href={url} target="_blank" rel="noreferrer">local mailbox</a>.
    </p>
  );
}
