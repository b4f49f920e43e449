/** A write's error when nobody reads any more: a closed terminal (EIO), a reader that quit (EPIPE), and later writes to that same stream. */
const READER_GONE = new Set(['EIO', 'EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * A closed terminal or a reader that quit early (`flags --json | head`) fails every later write
 * to stdout or stderr. Unheard, the first such error would end the process with a stack trace in
 * the middle of the run, leaving temporary files and half the downloads undone; and it can come
 * before the SIGHUP of a closed terminal does. From then on, what is written there is dropped and
 * the run goes on to its end; any other write error is still thrown.
 */
export function outliveReaders(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (!READER_GONE.has(error.code ?? '')) throw error;
    });
  }
}
