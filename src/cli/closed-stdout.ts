/**
 * `probekit ... | head`: when the reader of stdout goes away, writes fail with
 * EPIPE (Node ignores SIGPIPE). The run then stops quietly and cleans up.
 */
export interface ClosedStdoutWatch {
  /** True once a write failed with EPIPE. */
  readonly closed: boolean;
  /** Stops listening (after the last write has had its chance to fail). */
  dispose(): void;
}

export function watchClosedStdout(
  stdout: NodeJS.WritableStream,
  onClose: () => void,
): ClosedStdoutWatch {
  let closed = false;
  const onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE') {
      closed = true;
      onClose();
    }
  };
  stdout.on('error', onError);
  return {
    get closed() {
      return closed;
    },
    dispose: () => {
      stdout.off('error', onError);
    },
  };
}
