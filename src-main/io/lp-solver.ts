/** The HiGHS LP/MIP solver (WebAssembly, MIT), loaded once per process on first use. */
import highsLoader, { type Highs } from 'highs';

let loading: Promise<Highs> | undefined;

export function loadHighs(): Promise<Highs> {
  loading ??= highsLoader();
  return loading;
}
