import { FieldProblem, optionalString, type Raw } from './field-readers.ts';

/** Columns a top-level field or a PostHog-style property fills: url, host, pathname, utm_*… */

/** A top-level field wins; otherwise the PostHog-style property; wrong types read as ''. */
export function stringFrom(
  event: Raw,
  props: Raw,
  field: string,
  property: string,
): string | FieldProblem {
  const top = optionalString(event, field);
  if (top instanceof FieldProblem || top !== '') return top;
  const fromProps = props[property];
  return typeof fromProps === 'string' ? fromProps : '';
}

/** Host and pathname from the URL, each only when still empty (an unparsable URL gives none). */
export function splitUrl(
  url: string,
  current: { host: string; pathname: string },
): { host: string; pathname: string } {
  if (!URL.canParse(url)) return current;
  const parsed = new URL(url);
  return {
    host: current.host === '' ? parsed.host : current.host,
    pathname: current.pathname === '' ? parsed.pathname : current.pathname,
  };
}
