/**
 * uap-core's names → the names ua-parser-js 1.0 (the worker) gives the same software, for
 * those that differ on common traffic; anything else keeps uap-core's name.
 */
export const UAP_BROWSER_NAMES: Readonly<Record<string, string>> = {
  'Chrome Mobile': 'Chrome',
  'Chrome Mobile iOS': 'Chrome',
  'Chrome Mobile WebView': 'Chrome WebView',
  'Firefox Mobile': 'Mobile Firefox',
  'Firefox iOS': 'Firefox',
  'Edge Mobile': 'Edge',
  'Opera Mobile': 'Opera Mobi',
  'Samsung Internet': 'Samsung Internet',
  'Mobile Safari UI/WKWebView': 'WebKit',
  'Apple Mail': 'WebKit',
  'Yandex Browser': 'Yandex',
  'UC Browser': 'UCBrowser',
  IE: 'IE',
  'IE Mobile': 'IEMobile',
};

export const UAP_OS_NAMES: Readonly<Record<string, string>> = {
  'Mac OS X': 'Mac OS',
  'Chrome OS': 'Chromium OS',
  'Windows Phone': 'Windows Phone',
};
