/**
 * Output lines gathered into larger writes: one write per event costs more
 * than formatting it. Flushed at 64 KiB, on the next turn of the event loop,
 * and before anything else is printed (the summary).
 */
export class LineBatcher {
  private parts: string[] = [];
  private bytes = 0;
  private scheduled = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly limit = 1 << 16,
  ) {}

  line(text: string): void {
    this.parts.push(text, '\n');
    this.bytes += text.length + 1;
    if (this.bytes >= this.limit) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.bytes = 0;
    this.stream.write(text);
  }
}
