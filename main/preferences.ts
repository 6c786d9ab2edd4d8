/**
 * The desktop app's preferences file (userData/preferences.json), read without trusting it: the
 * file is the user's to edit or break, so each field is checked on its own and a field that is
 * missing or not of its type takes its default (`"openSampleOnStart": "no"` is no true). A file
 * that is not JSON at all gives the defaults. Pure (no Electron), so it is tested on its own.
 */
import { z } from 'zod';

export interface Preferences {
  /** Open the bundled sample case when the app starts. */
  openSampleOnStart: boolean;
}

export const DEFAULT_PREFERENCES: Preferences = { openSampleOnStart: false };

const PreferencesFileSchema = z.object({
  openSampleOnStart: z.boolean().catch(DEFAULT_PREFERENCES.openSampleOnStart),
});

/** The preferences in `text` (the file's contents), each field its default where it is not valid. */
export function parsePreferences(text: string): Preferences {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ...DEFAULT_PREFERENCES };
  }
  const parsed = PreferencesFileSchema.safeParse(json);
  return parsed.success ? parsed.data : { ...DEFAULT_PREFERENCES };
}
