/**
 * A saved run arrives after an await, and the user may have picked something meanwhile: a screen opening on its
 * newest run must not flip a picker the user has just set. `useUserPicks()` counts the user's edits in the window
 * while the screen is shown (the window's only form controls are the screen's; input and change events, which a
 * script's own assignments never fire): read `mark()` before the await, and let the pickers follow the run only if
 * `changedSince(mark)` is false after it.
 */
import { onBeforeUnmount, onMounted } from 'vue';

const USER_EDITS = ['input', 'change'] as const;

export function useUserPicks() {
  let edits = 0;
  const count = () => {
    edits += 1;
  };
  onMounted(() => USER_EDITS.forEach((type) => document.addEventListener(type, count, true)));
  onBeforeUnmount(() => USER_EDITS.forEach((type) => document.removeEventListener(type, count, true)));
  return {
    mark: () => edits,
    changedSince: (mark: number) => edits !== mark,
  };
}
