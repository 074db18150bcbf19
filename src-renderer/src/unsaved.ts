/**
 * Unsaved edits: a screen with edits not yet saved registers a guard; leaving the screen (App.vue) asks
 * save / discard / stay, and closing the window asks the browser's own question (beforeunload).
 */
import { onBeforeUnmount } from 'vue';

export interface UnsavedGuard {
  /** What is unsaved, in a few words ("edits to EBA 2011 v2"); empty when nothing is. */
  pending(): string;
  /** Saves the edits; resolves false when saving failed (the screen shows why) so the user stays. */
  save(): Promise<boolean>;
  /** Drops the edits. */
  discard(): void;
}

const guards = new Set<UnsavedGuard>();

/** Registers a guard; the function returned removes it. */
export function registerUnsavedGuard(guard: UnsavedGuard): () => void {
  guards.add(guard);
  return () => guards.delete(guard);
}

/** Registers a guard for the life of the calling component. */
export function useUnsavedGuard(guard: UnsavedGuard): void {
  onBeforeUnmount(registerUnsavedGuard(guard));
}

/** The first guard with something unsaved, if any. */
export function pendingGuard(): { guard: UnsavedGuard; what: string } | undefined {
  for (const guard of guards) {
    const what = guard.pending();
    if (what) return { guard, what };
  }
  return undefined;
}

/** Closing the window or reloading with unsaved edits: the browser asks (its wording, not ours). */
export function onBeforeUnload(event: BeforeUnloadEvent): void {
  if (!pendingGuard()) return;
  event.preventDefault();
  event.returnValue = '';
}
