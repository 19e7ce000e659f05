/** Ctrl-C (SIGINT) or SIGTERM: stop cleanly, and exit anyway if that takes over 10 seconds. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    setTimeout(() => {
      console.error('Stopping took over 10 s: exiting anyway');
      process.exit(1);
    }, 10_000).unref();
    stop().then(
      () => process.exit(0),
      (error) => {
        console.error(`Stopping failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}
