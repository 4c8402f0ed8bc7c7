/**
 * Progress on stderr with rate and ETA. On a TTY it redraws one line; elsewhere (CI logs) it prints
 * a line at most every `intervalMs`. Silent when `enabled` is false (e.g. tests).
 */
export class Progress {
  private done = 0;
  private readonly start = performance.now();
  private lastPrint = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly opts: { enabled?: boolean; intervalMs?: number; stream?: NodeJS.WriteStream; unit?: string } = {},
  ) {
    this.tty = Boolean((opts.stream ?? process.stderr).isTTY);
  }

  get enabled(): boolean {
    return this.opts.enabled ?? process.env.AFFECTBENCH_QUIET !== '1';
  }

  tick(n = 1, note?: string): void {
    this.done += n;
    const now = performance.now();
    const interval = this.opts.intervalMs ?? (this.tty ? 100 : 5000);
    if (now - this.lastPrint >= interval || this.done === this.total) {
      this.lastPrint = now;
      this.print(note);
    }
  }

  line(note?: string): string {
    const secs = (performance.now() - this.start) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const unit = this.opts.unit ?? 'it';
    const parts = [`${this.label}: ${this.done}${this.total ? `/${this.total}` : ''}`, `${rate.toFixed(1)} ${unit}/s`];
    if (this.total && rate > 0) parts.push(`ETA ${formatSeconds((this.total - this.done) / rate)}`);
    if (note) parts.push(note);
    return parts.join('  ');
  }

  finish(note?: string): void {
    if (!this.enabled) return;
    this.print(note);
    if (this.tty) (this.opts.stream ?? process.stderr).write('\n');
  }

  private print(note?: string): void {
    if (!this.enabled) return;
    const stream = this.opts.stream ?? process.stderr;
    stream.write(this.tty ? `\r\x1b[2K${this.line(note)}` : `${this.line(note)}\n`);
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
