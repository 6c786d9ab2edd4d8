/**
 * Child process of store-crash.test.ts: writes edits (a mask version + an estimate, one
 * transaction each) as fast as it can and reports each commit on stdout, until it is killed.
 */
import { CaseStore } from '../../src/store/store';
import { encodeMaskPng } from '../../src/store/mask-png';
import { sampleEstimate } from '../unit/store-fixtures';

const dataDir = process.argv[2];
const caseId = Number(process.argv[3]);
const store = CaseStore.open(dataDir);
const png = await encodeMaskPng(new Uint8Array(64 * 48).fill(1), 64, 48);

// Bounded, and gone with its parent: a writer must never outlive a failed test.
process.stdout.on('error', () => process.exit(1));
for (let i = 1; i <= 20_000; i++) {
  store.transaction(() => {
    const mask = store.addMask({
      caseId,
      view: 'coronal',
      source: 'manual',
      author: 'crash-test',
      width: 64,
      height: 48,
      areaPx: i,
      png,
    });
    store.addEstimate({
      caseId,
      source: 'manual',
      coronalMaskId: mask.id,
      transverseMaskId: null,
      modelHash: 'h',
      author: 'crash-test',
      estimate: sampleEstimate(100 + i),
    });
  });
  process.stdout.write(`committed ${i}\n`);
}
