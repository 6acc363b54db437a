export default async function globalTeardown() {
  const pid = Number(process.env.ONAIR_STACK_PID);
  if (!pid) return;
  // The violation reports the browser sent to the stack (report-uri), in
  // any test: the run fails on one (see the cspViolations fixture).
  let reports: unknown[] = [];
  try {
    const r = await fetch(`${process.env.ONAIR_WEB_URL}/_local/csp-reports`);
    if (r.ok) reports = (await r.json()) as unknown[];
  } catch {
    // the stack is gone; its log says why
  }
  await stop(pid);
  if (reports.length > 0) {
    throw new Error(`Content-Security-Policy violations reported to the stack:\n${reports.map((r) => JSON.stringify(r)).join('\n')}`);
  }
}

async function stop(pid: number) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  // Give it its graceful shutdown (5 s), then make sure.
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
