export * from './engine';
export * from './estimator';
export * from './lengths';
export * from './samples';
export * from './segmentation';
export * from './types';
export * from './csv';
