/**
 * A reader's calibration as the store keeps it: the result and the two points that made it, so
 * that a stored case reopened in the engine is calibrated again exactly as the reader did it.
 */
import type { CalibrateRequest, Calibration } from '../api/contract';

type UserPoints = Pick<CalibrateRequest, 'pointA' | 'pointB' | 'distanceMm'>;

/** A user calibration as stored: the result and the two points that made it (replayed at open). */
export type StoredCalibration = Calibration & { userPoints?: UserPoints };

/** The calibration to store for a reader's depth-ruler request. */
export function storedCalibration(
  calibration: Calibration,
  req: CalibrateRequest,
): StoredCalibration {
  return {
    ...calibration,
    userPoints: { pointA: req.pointA, pointB: req.pointB, distanceMm: req.distanceMm },
  };
}

/** The points to replay for a stored calibration; null when the reader did not make it. */
export function userCalibrationOf(calibration: Calibration): UserPoints | null {
  return (calibration as StoredCalibration).userPoints ?? null;
}
