/**
 * Keyed pseudonyms for anonymised exports: the patient id, the case, the DICOM UIDs and the readers'
 * names replaced by HMAC-SHA-256 of the real value under this installation's secret key
 * (CaseStore.pseudonymKey).
 * An unkeyed hash would not do: patient ids (MRNs of 6–10 digits) and study UIDs can be listed,
 * so anyone could hash the list and match every export back to its patient. With the key, the
 * same patient keeps the same pseudonym in every export of one installation (a research set stays
 * linkable) and another installation gives other pseudonyms. The key itself is never written.
 */
import { createHmac } from 'node:crypto';
import { SpvError } from '../api/errors';
import { PSEUDONYM_KEY_BYTES } from '../store/types';

/** What a UID stands for: each kind is hashed apart (a series UID never maps like a study UID). */
export type UidKind = 'study' | 'series' | 'sop';

export class Pseudonyms {
  // An ES private field: never enumerated, so it cannot leak into JSON or a log of the object.
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== PSEUDONYM_KEY_BYTES)
      throw new SpvError(
        'internal',
        `The anonymisation key has ${key.length} bytes instead of ${PSEUDONYM_KEY_BYTES}: it is damaged, so no anonymised export is made. Restore the cases database from a backup (a new key would give every patient a new pseudonym, unlinkable to earlier exports).`,
      );
    this.#key = Buffer.from(key);
  }

  /** HMAC-SHA-256 of `value` in its own domain (patient, case, UID kind), as hex. */
  private mac(domain: string, value: string): string {
    return createHmac('sha256', this.#key).update(`spv-anon:${domain}:${value}`).digest('hex');
  }

  /** The patient's pseudonym, e.g. ANON-3F09A1C27B4E (48 bits: no collision in any real cohort). */
  patientId(patientId: string): string {
    return `ANON-${this.mac('patient', patientId).slice(0, 12).toUpperCase()}`;
  }

  /**
   * What an anonymised report calls its case instead of the database's row number (which the
   * hospital's own copy shows, so it would link the two), e.g. CASE-8D2E40B1F6.
   */
  caseRef(caseId: number | string): string {
    return `CASE-${this.mac('case', String(caseId)).slice(0, 10).toUpperCase()}`;
  }

  /**
   * A reader's pseudonym, e.g. "Reader 3f9a2c", for every reader's name an anonymised export would
   * otherwise write (who signed off, corrected, checked what at sign-off; the session's reader).
   * DICOM PS3.15's Basic Profile removes operators' and physicians' names; a keyed pseudonym rather
   * than one "ANONYMOUS" keeps a reader the same across cases and exports of one installation, so a
   * research set can still study inter-reader variation, and nobody without the key can hash a list
   * of staff names to match them. The name is taken as the store records it (trimmed): "Dr A" and
   * "dr a" are two readers there, so here too. 24 bits: plenty for a site's readers.
   */
  reader(name: string): string {
    return `Reader ${this.mac('reader', name.trim().normalize('NFC')).slice(0, 6)}`;
  }

  /** A UID under 2.25 standing for `uid`: 128 bits of the keyed hash, as a decimal. */
  uid(kind: UidKind, uid: string): string {
    return `2.25.${BigInt(`0x${this.mac(`uid-${kind}`, uid).slice(0, 32)}`).toString()}`;
  }
}
