import { z } from 'zod';

/** Id is an opaque identifier. Unknown ids are a 404, never a 400, so any short string parses. */
export const Id = z.string().min(1).max(64);

/** Cents is money as a whole number of minor units; one currency per deployment. */
export const Cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const Currency = z.string().regex(/^[A-Z]{3}$/);

/** Timestamp is an ISO 8601 string: a Date never crosses a port. */
export const Timestamp = z.iso.datetime({ offset: true });

export const Email = z.email().max(254);

/** page wraps a list the way every collection is returned: `{ items: [...] }`. */
export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
