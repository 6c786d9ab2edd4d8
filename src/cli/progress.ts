/** A progress bar on stderr: redrawn in place on a terminal, a few plain lines otherwise. */
export class ProgressBar {
  private count = 0;
  private lastQuarter = -1;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream,
    private readonly width = 28,
  ) {}

  tick(label: string): void {
    this.count++;
    const fraction = this.total === 0 ? 1 : this.count / this.total;
    const filled = Math.round(fraction * this.width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${this.count}/${this.total} ${label}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${bar.padEnd(this.width + 40)}`);
      return;
    }
    // Logs and CI: one line per quarter, not one per case.
    const quarter = Math.floor(fraction * 4);
    if (quarter !== this.lastQuarter) {
      this.lastQuarter = quarter;
      this.stream.write(`${bar}\n`);
    }
  }

  done(): void {
    if (this.stream.isTTY && this.count > 0) this.stream.write('\n');
  }
}
