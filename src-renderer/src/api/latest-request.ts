/**
 * Answers can come back out of order: a user who shows run A and then run B must end up looking at B, even when
 * A's answer (a larger run, a busier store) arrives last. One `latestRequest()` per thing a screen shows; the
 * function that asks for it calls the result before its first await and stops after each await where a newer
 * request has been made since:
 *
 *   const showing = latestRequest();
 *   async function show(id: number) {
 *     const isLatest = showing();
 *     const run = await getRun('stress', id);
 *     if (!isLatest()) return; // run B was asked for meanwhile: its own call shows it
 *     …
 *   }
 *
 * (A watcher does the same with Vue's own `onCleanup`, which runs when its source changes again.)
 */
export function latestRequest(): () => () => boolean {
  let newest = 0;
  return () => {
    const mine = ++newest;
    return () => mine === newest;
  };
}
