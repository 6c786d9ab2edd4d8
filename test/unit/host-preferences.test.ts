/** The desktop app's preferences file, read without trusting it (main/preferences.ts). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, parsePreferences } from '../../main/preferences';

describe('the preferences file', () => {
  it('reads a valid file', () => {
    expect(parsePreferences('{"openSampleOnStart": true}')).toEqual({ openSampleOnStart: true });
    expect(parsePreferences('{"openSampleOnStart": false}')).toEqual({ openSampleOnStart: false });
  });

  it('takes the default for a field of the wrong type, not a truthy stand-in', () => {
    expect(parsePreferences('{"openSampleOnStart": "no"}')).toEqual(DEFAULT_PREFERENCES);
    expect(parsePreferences('{"openSampleOnStart": 1}')).toEqual(DEFAULT_PREFERENCES);
  });

  it('gives the defaults for a file that is not JSON, not an object, or empty', () => {
    for (const text of ['', 'not json', '[]', 'null', '"text"', '{}'])
      expect(parsePreferences(text)).toEqual(DEFAULT_PREFERENCES);
  });

  it('keeps only what it knows', () => {
    expect(parsePreferences('{"openSampleOnStart": true, "other": 3}')).toEqual({
      openSampleOnStart: true,
    });
  });
});
