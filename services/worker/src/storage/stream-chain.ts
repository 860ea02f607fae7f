import { addAbortSignal, pipeline, type Readable, type Transform } from 'node:stream';

/**
 * Pipes `source` through `transforms` and returns the last stream, for a consumer that reads it (the
 * multipart uploader). An error anywhere (including an abort) destroys every stream and surfaces on the
 * returned one; `firstError()` tells which error came first, since the consumer may only see a generic one.
 */
export function chainStreams(
  source: Readable,
  transforms: Transform[],
  signal: AbortSignal,
): { output: Readable; firstError: () => unknown } {
  let first: unknown;
  const streams = [source, ...transforms] as const;
  const last = transforms.at(-1);
  if (!last) throw new Error('chainStreams needs at least one transform');
  for (const stream of streams) {
    stream.once('error', (error) => {
      first ??= error;
    });
  }
  addAbortSignal(signal, last);
  // The callback form returns the last stream, which stays readable for the consumer.
  pipeline(streams as unknown as [Readable, ...Transform[]], (error) => {
    if (error) first ??= error;
  });
  return { output: last, firstError: () => first };
}
