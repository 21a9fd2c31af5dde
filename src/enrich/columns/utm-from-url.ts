import type { EventRow } from '../../decode/event-row.ts';

/**
 * Campaign columns from the page URL's query string when the SDK did not send them as
 * properties (server-side captures, hand-written events). Only URLs that mention `utm_`
 * are parsed, so ordinary traffic pays one substring search.
 */
export function fillUtmFromUrl(row: EventRow): void {
  if (row.utm_source !== '' && row.utm_medium !== '' && row.utm_campaign !== '') return;
  const { url } = row;
  const query = url.indexOf('?');
  if (query === -1 || url.indexOf('utm_', query) === -1) return;
  const hash = url.indexOf('#', query);
  const params = new URLSearchParams(url.slice(query + 1, hash === -1 ? undefined : hash));
  if (row.utm_source === '') row.utm_source = params.get('utm_source') ?? '';
  if (row.utm_medium === '') row.utm_medium = params.get('utm_medium') ?? '';
  if (row.utm_campaign === '') row.utm_campaign = params.get('utm_campaign') ?? '';
}
