export function Spinner({ size = 28, label }: { size?: number; label?: string }) {
  return <span className="spinner" style={{ width: size, height: size }} role={label ? 'status' : undefined} aria-label={label} />;
}

export function FullScreenLoader({ label, children, failed }: { label: string; children?: React.ReactNode; failed?: boolean }) {
  return (
    <div className="fullscreen-loader" role="status" aria-live="polite">
      {failed ? <span className="loader-failed" aria-hidden="true">!</span> : <Spinner size={44} />}
      <p>{label}</p>
      {children}
    </div>
  );
}
