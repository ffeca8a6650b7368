const NON_TTY_EVERY_MS = 5000;

/**
 * A live status line on stderr: redrawn in place on a terminal, and printed as a plain line
 * every few seconds otherwise (CI logs), so it never floods a log file.
 */
export class ProgressLine {
  private timer: NodeJS.Timeout | null = null;
  private lastPlainAt = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly render: () => string) {}

  start(everyMs = 1000): void {
    this.timer = setInterval(() => this.draw(), everyMs);
    this.timer.unref();
  }

  /** Prints the final state and moves to a new line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.draw(true);
    if (this.tty) process.stderr.write('\n');
  }

  /** Writes a whole line without tearing the status line. */
  log(line: string): void {
    if (this.tty) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${line}\n`);
    if (this.tty && this.timer) this.draw();
  }

  private draw(force = false): void {
    const line = this.render();
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K${line}`);
      return;
    }
    if (!force && Date.now() - this.lastPlainAt < NON_TTY_EVERY_MS) return;

    this.lastPlainAt = Date.now();
    process.stderr.write(`${line}\n`);
  }
}
