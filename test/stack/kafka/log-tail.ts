import { open } from 'node:fs/promises';

/** The last `lines` lines of a log file, read from its end; '' when the file is missing. */
export async function readLogTail(file: string, lines = 40, maxBytes = 64 * 1024): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    // Maven prints colour resets even in batch mode.
    const text = buffer.toString('utf8').replaceAll('\u001b[0m', '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    await handle.close();
  }
}

/** Formats a tail for an error message, so every failure points at the full log. */
export async function describeLogTail(file: string, lines = 40): Promise<string> {
  const tail = await readLogTail(file, lines);
  return tail === '' ? `(${file} is empty)` : `--- last lines of ${file} ---\n${tail}`;
}

/** What was appended to a log since `offset` (at most maxBytes); '' when unreadable. */
export async function readLogSince(
  file: string,
  offset: number,
  maxBytes = 8 * 1024 * 1024,
): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, Math.min(maxBytes, size - offset)));
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}
