/**
 * Cases, review sessions and reports (issue 5): the store half of the API contract.
 * Filled in by the store work; kept separate so that the engine and the store can grow apart.
 */
import { z } from 'zod';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the store work
export interface StoreApi {}

export const storeApiRequestSchemas = {} as const satisfies Record<string, z.ZodType>;
