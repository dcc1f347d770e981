// Pause points for the fault tests: with TRAINYARD_FAULT_PAUSE=<phase> a worker process stops at
// that phase, says so on stderr, and waits there: to be killed, or (the race tests: frozen with
// SIGSTOP, its job taken over, thawed) to go on when it gets SIGCONT. Unset in production (no-op).
export type FaultPhase = 'planning' | 'mid-epoch' | 'before-final-write' | 'artifact-upload';

export function faultPauseFromEnv(env: NodeJS.ProcessEnv = process.env): ((phase: FaultPhase) => Promise<void>) | undefined {
  const at = env.TRAINYARD_FAULT_PAUSE;
  if (!at) return undefined;
  return async (phase) => {
    if (phase !== at) return;
    process.stderr.write(`trainyard-fault-pause ${phase} pid=${process.pid}\n`);
    await new Promise<void>((resolve) => process.once('SIGCONT', () => resolve()));
    process.stderr.write(`trainyard-fault-continue ${phase} pid=${process.pid}\n`);
  };
}
