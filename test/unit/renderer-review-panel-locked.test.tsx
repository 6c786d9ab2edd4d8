// @vitest-environment happy-dom
/**
 * A signed-off stored case in the viewer is read-only: the case loader says it is locked
 * (renderer/hooks/use-case-loader.ts), and then the mask-editing hook refuses every edit
 * (whole-mask operations, reset, undo, a stroke that got through), the viewer refuses brush, lasso
 * and caliper gestures as they start (renderer/viewer/read-only-gestures.ts), and a banner says
 * so. Wired as the app wires them; a store that would not save the edit is no longer the first to
 * tell the reader.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { useRef, useState, type JSX } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CaseView, MaskRle, SpvApi } from '../../src/api';
import type { StoredCaseView } from '../../src/api/store-contract';
import { StrokeRecorder } from '../../renderer/editing/delta';
import {
  readOnlyReason,
  useCaseLoader,
  type CaseLoader,
  type StoredCaseShown,
} from '../../renderer/hooks/use-case-loader';
import { useMaskEditing, type MaskEditing } from '../../renderer/hooks/use-mask-editing';
import { ReadOnlyBanner } from '../../renderer/review/ReadOnlyBanner';
import { refusedGesture } from '../../renderer/viewer/read-only-gestures';
import type { MaskSet, Tool } from '../../renderer/viewer/types';
import { caseView } from './renderer-fixtures';

afterEach(cleanup);

const REFUSAL = 'engine-4 is signed off: unlock it with a reason in the Review tab to change it';

// 4×2 masks: the AI's has 5 pixels set, the stored (final) one 2, with a hole at 1.
const rle = (runs: number[]): MaskRle => ({ width: 4, height: 2, runs });
const AI = rle([0, 5, 3]);
const FINAL = rle([0, 1, 1, 1, 5]);

function stored(locked: boolean): StoredCaseView {
  return {
    caseId: '4',
    view: caseView('engine-4'),
    status: locked ? 'signed-off' : 'corrected',
    locked,
    aiMasks: { coronal: AI, transverse: null },
    currentMasks: { coronal: FINAL, transverse: null },
    estimate: null,
    estimateId: '7',
    patient: null,
    caliperLines: [],
  };
}

/** The loader, the editing hook and the banner, wired as in renderer/App.tsx. */
function Viewer(props: {
  out: { loader: CaseLoader | null; editing: MaskEditing | null; masks: { current: MaskSet } };
  setMessage(message: string): void;
  onMasksChanged(): void;
}): JSX.Element {
  const masksRef = useRef<MaskSet>({});
  props.out.masks = masksRef;
  const [storedShown, setStoredShown] = useState<StoredCaseShown | null>(null);
  const readOnly = readOnlyReason(storedShown);
  const editing = useMaskEditing({
    masksRef,
    activeView: 'coronal',
    caseView: null,
    setMessage: props.setMessage,
    onMasksChanged: props.onMasksChanged,
    readOnly,
  });
  props.out.editing = editing;
  props.out.loader = useCaseLoader({
    api: { segment: vi.fn() } as unknown as SpvApi,
    masksRef,
    showCase: (_cv: CaseView, s?: StoredCaseShown | null) => {
      editing.clearMasks();
      setStoredShown(s ?? null);
    },
    masksLoaded: editing.masksChanged,
    closeOpenDialog: () => undefined,
    setMessage: () => undefined,
    pushError: () => undefined,
  });
  return <ReadOnlyBanner reason={readOnly} />;
}

function setup() {
  const out = {
    loader: null as CaseLoader | null,
    editing: null as MaskEditing | null,
    masks: { current: {} as MaskSet },
  };
  const setMessage = vi.fn();
  const onMasksChanged = vi.fn();
  render(<Viewer out={out} setMessage={setMessage} onMasksChanged={onMasksChanged} />);
  const open = (locked: boolean) =>
    act(async () => {
      await out.loader!.openStoredCase('4', stored(locked), 'Dr A', () => true);
    });
  const coronal = () => Array.from(out.masks.current.coronal!.current);
  return { out, setMessage, onMasksChanged, open, coronal };
}

describe('a signed-off case in the viewer', () => {
  it('is opened read-only, with a banner that says why and how to change it', async () => {
    const { open } = setup();
    await open(true);
    expect(screen.getByTestId('read-only-banner').textContent).toBe(`Read-only. ${REFUSAL}.`);
    await open(false); // unlocked in the Review tab: opened again
    expect(screen.queryByTestId('read-only-banner')).toBeNull();
  });

  it('refuses the whole-mask tools, reset and undo, with the reason, and keeps its mask', async () => {
    const { out, setMessage, onMasksChanged, open, coronal } = setup();
    await open(true);
    const before = coronal();
    onMasksChanged.mockClear();
    const editing = () => out.editing!;
    act(() => editing().fillHoles());
    act(() => editing().keepLargestIsland());
    act(() => editing().smooth());
    act(() => editing().resetToAi());
    act(() => editing().undo());
    expect(setMessage.mock.calls.map(([m]) => m)).toEqual([
      `Fill holes: ${REFUSAL}`,
      `Keep largest island: ${REFUSAL}`,
      `Smooth: ${REFUSAL}`,
      `Reset to AI: ${REFUSAL}`,
      `Undo: ${REFUSAL}`,
    ]);
    expect(coronal()).toEqual(before);
    expect(onMasksChanged).not.toHaveBeenCalled();

    // Unlocked and opened again, the same tools work.
    await open(false);
    act(() => editing().resetToAi());
    expect(coronal()).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
    expect(onMasksChanged).toHaveBeenCalled();
  });

  it('puts back a stroke that got through, records nothing to undo and asks for no estimate', async () => {
    const { out, setMessage, onMasksChanged, open, coronal } = setup();
    await open(true);
    const before = coronal();
    onMasksChanged.mockClear();
    // A stroke the viewer applied in place (begun as the case was signed off).
    const recorder = new StrokeRecorder(out.masks.current.coronal!.current);
    for (const i of [4, 5, 6]) recorder.set(i, 1);
    const delta = recorder.finish()!;
    act(() => out.editing!.onStrokeEnd('coronal', delta));
    expect(coronal()).toEqual(before);
    expect(setMessage).toHaveBeenLastCalledWith(REFUSAL);
    expect(out.editing!.canUndo).toBe(false);
    expect(onMasksChanged).not.toHaveBeenCalled();
  });
});

describe('the viewer gestures on a read-only case', () => {
  it('refuses the brush, eraser, lassos and calipers as they start, and lets the reader look', () => {
    const editingTools: Tool[] = ['brush', 'eraser', 'lasso-add', 'lasso-cut', 'caliper'];
    for (const tool of editingTools) expect(refusedGesture(tool, REFUSAL)).toBe(REFUSAL);
    expect(refusedGesture('pan', REFUSAL)).toBeNull();
    for (const tool of editingTools) expect(refusedGesture(tool, null)).toBeNull();
  });
});
