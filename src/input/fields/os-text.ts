import { z } from 'zod';

/** A string handed to the operating system (argument, path, environment): C strings end at a NUL byte. */
export const osText = z.string().refine((s) => !s.includes('\0'), { message: 'expected text without NUL bytes' });
