/** The whole API the hosts expose to the renderer: the engine half and the store half. */
import { caseApiRequestSchemas, type CaseApi } from './contract';
import { storeApiRequestSchemas, type StoreApi } from './store-contract';

export type SpvApi = CaseApi & StoreApi;
export type SpvApiMethod = keyof SpvApi;

/** Request schema of every API method, validated by both hosts before the call reaches the core. */
export const apiRequestSchemas = { ...caseApiRequestSchemas, ...storeApiRequestSchemas };

export * from './contract';
export * from './store-contract';
export * from './errors';
