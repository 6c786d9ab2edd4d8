export * from './types';
export * from './manifest-loader';
export * from './providers';
export * from './signature';
export * from './onnx-inference';
