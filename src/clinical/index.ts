export * from './formulas';
export * from './reference-limits';
