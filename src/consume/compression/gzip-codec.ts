import { promisify } from 'node:util';
import { gzip, unzip } from 'node:zlib';
import { zlibCodec } from './zlib-codec.ts';

/** Kafka's gzip, as kafkajs's own codec (zlib's unzip), with the output bounded. */
export const gzipCodec = zlibCodec(promisify(gzip), promisify(unzip));
