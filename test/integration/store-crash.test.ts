import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore } from '../../src/store/store';

const writer = join(__dirname, 'store-crash-writer.ts');
const repoRoot = join(__dirname, '../..');

/** Starts the writer, waits until it has reported `minCommits`, then SIGKILLs it mid-stream. */
function runAndKill(dataDir: string, caseId: number, minCommits: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // node itself with tsx as a loader: the tsx CLI would leave its node child running.
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir, String(caseId)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastCommitted = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/committed (\d+)/g))
        lastCommitted = Math.max(lastCommitted, Number(m[1]));
      if (lastCommitted >= minCommits && child.exitCode === null && !child.killed)
        child.kill('SIGKILL');
    });
    // 'close', not 'exit': read every report still in the pipe when the kill landed.
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lastCommitted);
      else reject(new Error(`writer exited by itself (code ${code}): ${stderr}`));
    });
  });
}

describe('store crash safety', () => {
  it('keeps every committed edit when the writer is SIGKILLed mid-stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spv-crash-'));
    try {
      const setup = CaseStore.open(dir);
      const patientId = setup.upsertPatient({ key: 'CRASH-1' });
      const caseId = setup.createCase(
        { patientId, studyInstanceUid: null, studyDate: null, title: 'crash' },
        'test',
      );
      setup.close();

      let expected = 0;
      for (let round = 0; round < 2; round++) {
        const reported = await runAndKill(dir, caseId, 40);
        const store = CaseStore.open(dir);
        expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
        const versions = store.masks(caseId).map((m) => m.version);
        // Every reported commit is there; at most one more whose report was cut off by the kill.
        expect(versions.length - expected).toBeGreaterThanOrEqual(reported);
        expect(versions.length - expected).toBeLessThanOrEqual(reported + 1);
        expect(versions).toEqual(versions.map((_, i) => i + 1));
        // Mask and estimate were written in one transaction: never one without the other.
        expect(store.estimates(caseId)).toHaveLength(versions.length);
        expect(store.auditLog(caseId).filter((e) => e.action === 'mask.save')).toHaveLength(
          versions.length,
        );
        expected = versions.length;
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
