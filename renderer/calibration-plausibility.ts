// Moved to src/imaging (the engine checks the same bounds); this re-export goes once its importers move.
export * from '../src/imaging/calibration-plausibility';
