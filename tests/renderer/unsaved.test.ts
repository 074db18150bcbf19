import { describe, expect, it } from 'vitest';
import { onBeforeUnload, pendingGuard, registerUnsavedGuard, type UnsavedGuard } from '../../src-renderer/src/unsaved';

const guard = (what: () => string): UnsavedGuard => ({
  pending: what,
  save: () => Promise.resolve(true),
  discard: () => undefined,
});

describe('unsaved edits', () => {
  it('names the first editor with unsaved edits, and none once it is clean or gone', () => {
    let edits = '';
    const clean = registerUnsavedGuard(guard(() => ''));
    const remove = registerUnsavedGuard(guard(() => edits));
    expect(pendingGuard()).toBeUndefined();
    edits = 'edits to "EBA 2011"';
    expect(pendingGuard()?.what).toBe('edits to "EBA 2011"');
    remove();
    expect(pendingGuard()).toBeUndefined();
    clean();
  });

  it('asks before the window closes only while something is unsaved', () => {
    const event = () => {
      const e = {
        defaultPrevented: false,
        returnValue: undefined as unknown,
        preventDefault() {
          this.defaultPrevented = true;
        },
      };
      return e;
    };
    const quiet = event();
    onBeforeUnload(quiet as unknown as BeforeUnloadEvent);
    expect(quiet.defaultPrevented).toBe(false);
    const remove = registerUnsavedGuard(guard(() => 'edits to the economy "Sample"'));
    const asked = event();
    onBeforeUnload(asked as unknown as BeforeUnloadEvent);
    expect(asked.defaultPrevented).toBe(true);
    expect(asked.returnValue).toBe('');
    remove();
  });
});
