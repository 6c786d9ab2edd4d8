/**
 * Bad-input errors of the decoders: every failure names the file and says what to do, and any
 * error a third-party decoder throws (dicom-parser throws plain strings) becomes an SpvError.
 */
import { SpvError } from '../api/errors';

/** Images larger than this on a side are refused before their pixels are decoded. */
export const MAX_IMAGE_SIDE = 8192;

export function badInput(name: string, problem: string, whatToDo: string): SpvError {
  return new SpvError('bad-input', `${name}: ${problem}. ${whatToDo}`);
}

/**
 * The words of a third-party error: an Error's message, a thrown string, or dicom-parser's
 * `{ exception, dataSet }` object (which String() would turn into "[object Object]").
 */
function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  const exception = (error as { exception?: unknown } | null)?.exception;
  if (typeof exception === 'string') return exception;
  if (exception instanceof Error) return exception.message;
  return String(error);
}

/**
 * A DICOM object that holds no image: a DICOMDIR, a structured report, a presentation state. A
 * type of its own so that a folder import lists it among the files it skips (a CD carries such
 * objects beside its images), not among the images that failed.
 */
export class DicomWithoutPixelDataError extends SpvError {
  constructor(name: string) {
    super(
      'bad-input',
      badInput(
        name,
        'the DICOM file contains no pixel data (it may be a DICOMDIR, a report or a presentation state)',
        'Open the ultrasound image itself.',
      ).message,
    );
  }
}

/** Wraps anything thrown while decoding `name` into a bad-input SpvError (SpvErrors pass through). */
export function asDecodeError(error: unknown, name: string, format: string): SpvError {
  if (error instanceof SpvError) return error;
  const reason = reasonOf(error);
  return new SpvError(
    'bad-input',
    `${name}: the ${format} file could not be decoded (${reason.slice(0, 200)}). It may be truncated or corrupt; export the image again.`,
    { cause: error },
  );
}

export function checkImageSize(name: string, width: number, height: number): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw badInput(
      name,
      `the image size ${width}×${height} is invalid`,
      'The file is corrupt; export the image again.',
    );
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw badInput(
      name,
      `the image is ${width}×${height} pixels, larger than ${MAX_IMAGE_SIDE} on a side`,
      'Export a single ultrasound view at its native size.',
    );
  }
}
