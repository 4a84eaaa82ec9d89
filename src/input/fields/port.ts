import { z } from 'zod';
import { fieldKinds } from './kinds.js';

/** A container port. Compose accepts "8080", "127.0.0.1:8080:8080/tcp" or 8080; sigstorm needs the container port
 *  only and always publishes it on a free loopback port, so parallel trials never collide. */
export const port = z.union([z.number().int().min(1).max(65535), z.string()]).transform((value, ctx) => {
  const match = /^(?:.*:)?(\d+)(?:\/tcp)?$/.exec(String(value));
  const num = match ? Number(match[1]) : NaN;
  if (!(num >= 1 && num <= 65535)) {
    ctx.addIssue({ code: 'custom', message: 'expected a TCP port such as 8080 or "8080:8080"' });
    return z.NEVER;
  }
  return num;
});
fieldKinds.add(port, { name: 'port', written: 'a TCP port of the container, `8080`, or as compose writes a mapping (`"8080:8080"`, `"127.0.0.1:8080:8080/tcp"`): only the container port counts' });
