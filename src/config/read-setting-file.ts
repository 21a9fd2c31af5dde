import { readFileSync } from 'node:fs';
import { ConfigError, errorMessage } from '../errors.ts';

/**
 * Reads a file a setting points to (TLS CA bundle, certificate, key) at start-up. A missing or
 * unreadable file is a configuration error naming the variable, not a stack trace; the
 * message names the path, never the file's content.
 */
export function readSettingFile(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError([`${setting}: cannot read ${path}: ${errorMessage(err)}`]);
  }
}
