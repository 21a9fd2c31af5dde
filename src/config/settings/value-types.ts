import { z } from 'zod';

/** Value types several sections share. */
export const positiveInt = z.number().int().positive();
export const nonNegativeInt = z.number().int().nonnegative();
