import type { SettingKind } from './settings/setting.ts';

/**
 * An environment variable's text as the value its setting's kind expects, or an Error
 * saying what was expected and what was given. Validation beyond the kind is the schema's.
 */
export function parseEnvText(kind: SettingKind, text: string): unknown {
  switch (kind) {
    case 'string':
      return text;
    case 'int': {
      const cleaned = text.replace(/_/g, '');
      if (!/^-?\d+$/.test(cleaned)) return new Error(`expected a whole number, got "${text}"`);
      return Number(cleaned);
    }
    case 'bool': {
      const lower = text.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
      if (['0', 'false', 'no', 'off'].includes(lower)) return false;
      return new Error(`expected true or false, got "${text}"`);
    }
    case 'list':
      return text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0);
    case 'map': {
      const out: Record<string, string> = {};
      for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
        const eq = pair.indexOf('=');
        if (eq <= 0) return new Error(`expected key=value pairs, got "${pair}"`);
        out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
      }
      return out;
    }
  }
}
