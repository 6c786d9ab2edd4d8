/** The decoding tests' check of a refusal: an SpvError of code bad-input whose message matches. */
import { expect } from 'vitest';
import { SpvError } from '../../src/api/errors';

export async function expectBadInput(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(SpvError);
  await expect(promise).rejects.toMatchObject({
    code: 'bad-input',
    message: expect.stringMatching(pattern),
  });
}
