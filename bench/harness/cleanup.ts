type Step = { name: string; run: () => unknown };

const FORCED_EXIT_MS = 15_000;

/**
 * Undo steps for everything a run started (processes, servers, temp folders), run newest
 * first exactly once: from a `finally`, or on SIGINT/SIGTERM, so an interrupted run leaves
 * nothing behind. A step that fails is reported and the others still run.
 */
export class Cleanup {
  private readonly steps: Step[] = [];
  private running: Promise<void> | null = null;

  add(name: string, run: Step['run']): void {
    this.steps.push({ name, run });
  }

  /** Runs every step once; later calls wait for the same run. */
  runAll(): Promise<void> {
    this.running ??= this.runSteps();

    return this.running;
  }

  /**
   * On SIGINT or SIGTERM, clean up and exit with 128 + the signal number; on an error nothing
   * caught, report it, clean up and exit with 1.
   */
  onSignals(): void {
    const handle = (reason: string, code: number) => {
      process.stderr.write(`\n${reason}: cleaning up\n`);
      setTimeout(() => process.exit(code), FORCED_EXIT_MS).unref();
      void this.runAll().finally(() => process.exit(code));
    };
    process.once('SIGINT', () => handle('SIGINT', 130));
    process.once('SIGTERM', () => handle('SIGTERM', 143));
    const fatal = (error: unknown) => handle(`unexpected error: ${String(error)}`, 1);
    process.once('uncaughtException', fatal);
    process.once('unhandledRejection', fatal);
  }

  private async runSteps(): Promise<void> {
    for (const step of [...this.steps].reverse()) {
      try {
        await step.run();
      } catch (error) {
        process.stderr.write(`cleanup: ${step.name} failed: ${String(error)}\n`);
      }
    }
  }
}
