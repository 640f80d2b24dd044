import type { Dispatcher } from 'undici';

const ERROR_BODY_LIMIT = 64 * 1024;

/** An error body, read up to a bound (an HTML 502 page can be large), the rest discarded. */
export async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= ERROR_BODY_LIMIT) break;
    }
  } catch {
    // A body cut off mid-way still says enough (or nothing); the status decides.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, ERROR_BODY_LIMIT);
}
