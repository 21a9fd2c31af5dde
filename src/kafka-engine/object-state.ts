/** What applying did to a group of objects (pipeline, pricing, geo, user agents). */
export type ObjectState = 'created' | 'replaced' | 'unchanged' | 'loaded' | 'off';
