/**
 * One user action that calls the API: `busy` while it runs (its button is off), its error message in `error`,
 * cleared when it starts again.
 */
import { ref } from 'vue';

export function useBusyAction() {
  const busy = ref(false);
  const error = ref('');
  async function act(action: () => Promise<void>): Promise<void> {
    busy.value = true;
    error.value = '';
    try {
      await action();
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      busy.value = false;
    }
  }
  return { busy, error, act };
}
