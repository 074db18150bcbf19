/**
 * The TensorFlow.js backend a run or model recorded, in words: "WebAssembly on AMD EPYC (2 threads), SIMD, single
 * thread; WebGPU passed over: no GPU adapter answered (…)" instead of "wasm (on AMD EPYC (2 threads):
 * @tensorflow/tfjs-backend-wasm (SIMD, single thread); passed over: webgpu: no GPU adapter answered (…))". Every fact
 * of the record is kept; only the backends' and packages' identifiers become words.
 *
 * Recorded forms (src-main/learning/backend.ts): "NAME (DETAIL)" (graph-transformer models, the dual-network
 * reproduction), "NAME — DETAIL" (capital studies, briefs), "NAME on ADAPTER" (backendLabel), a NAME alone (a
 * dual-network model, whose detail is kept apart); DETAIL is "on ADAPTER: WHAT[; passed over: NAME: WHY; …]" when a
 * backend was chosen, or "WHAT[; WebGPU passed over: WHY]" when only described (the About screen, briefs).
 */

/** The backends' recorded names (and the labels of those passed over) in words. */
export const LEARNING_BACKEND_WORDS: Readonly<Record<string, string>> = {
  tensorflow: 'TensorFlow native',
  'tensorflow (GPU)': 'TensorFlow native (GPU)',
  'tensorflow GPU': 'TensorFlow native (GPU)',
  webgpu: 'WebGPU',
  wasm: 'WebAssembly',
  cpu: 'CPU (plain JavaScript)',
};

/** The backends' names as recorded, most specific first (so "tensorflow (GPU)" is not read as "tensorflow"). */
const NAMES = ['tensorflow (GPU)', 'tensorflow', 'webgpu', 'wasm', 'cpu'];
const NAME = NAMES.map((n) => n.replace(/[()]/g, '\\$&')).join('|');
const PASSED_OVER_LABEL = new RegExp(`(^|; )(tensorflow GPU|${NAME}): `, 'g');

const nameWords = (name: string): string => LEARNING_BACKEND_WORDS[name] ?? name;

/** Packages and calls named in a backend's detail, in words (the longest package names first). */
const IDENTIFIER_WORDS: Array<[RegExp, string | ((...groups: string[]) => string)]> = [
  [/@tensorflow\/tfjs-node-gpu/g, 'TensorFlow native GPU binding'],
  [/@tensorflow\/tfjs-node/g, 'TensorFlow native binding'],
  [/@tensorflow\/tfjs-backend-wasm/g, 'TensorFlow.js WebAssembly backend'],
  [/@tensorflow\/tfjs-backend-webgpu/g, 'TensorFlow.js WebGPU backend'],
  [/@tensorflow\/tfjs\b/g, 'TensorFlow.js'],
  [/setBackend\('([^']*)'\) failed/g, (_match, name) => `${nameWords(name)} did not start`],
  [/\bthe webgpu package\b/g, 'the WebGPU package'],
];

function identifiersInWords(text: string): string {
  return IDENTIFIER_WORDS.reduce(
    (words, [pattern, replacement]) => words.replace(pattern, replacement as (...groups: string[]) => string),
    text,
  );
}

/**
 * What the chosen backend is, without repeating its name: "SIMD, single thread" for WebAssembly, "Dawn, largest
 * storage buffer 4096 MiB" for WebGPU, nothing for the plain JavaScript backend; other text in words.
 */
function whatInWords(name: string, what: string): string {
  const compact: Record<string, Array<[RegExp, string]>> = {
    wasm: [[/^@tensorflow\/tfjs-backend-wasm \((.*)\)$/, '$1']],
    cpu: [[/^@tensorflow\/tfjs plain JavaScript backend$/, '']],
    webgpu: [[/^WebGPU \(Dawn\)[,;]? ?/, 'Dawn, ']],
    tensorflow: [
      [/^@tensorflow\/tfjs-node-gpu \((.*)\)$/, 'GPU binding, $1'],
      [/^@tensorflow\/tfjs-node \(native CPU\)$/, 'CPU binding'],
    ],
  };
  const rule = (compact[name] ?? []).find(([pattern]) => pattern.test(what));
  const shortened = rule ? what.replace(rule[0], rule[1]).replace(/, $/, '') : what;
  return identifiersInWords(shortened);
}

/** A recorded backend split into its name and detail; the name is null when the text names no known backend. */
function parse(recorded: string): { name: string | null; detail: string } {
  const text = recorded.trim();
  if (NAMES.includes(text)) return { name: text, detail: '' };
  const dash = new RegExp(`^(${NAME}) — ([\\s\\S]*)$`).exec(text);
  if (dash) return { name: dash[1]!, detail: dash[2]! };
  const parenthesised = new RegExp(`^(${NAME}) \\(([\\s\\S]*)\\)$`).exec(text);
  if (parenthesised) return { name: parenthesised[1]!, detail: parenthesised[2]! };
  const on = new RegExp(`^(${NAME}) (on [\\s\\S]*)$`).exec(text);
  if (on) return { name: on[1]!, detail: on[2]! };
  return { name: null, detail: text };
}

/** The short name of a recorded backend in words, for a table column: "WebAssembly", "CPU (plain JavaScript)". */
export function learningBackendName(recorded: string): string {
  const { name } = parse(recorded);
  return name === null ? identifiersInWords(recorded) : nameWords(name);
}

/**
 * A recorded backend in words, every fact kept: the recorded string ("wasm (on …: …)", "cpu — …", "cpu"), or its
 * name and detail kept apart (a dual-network model, a capital study, the About screen's description; the adapter,
 * when given and the detail does not name it, follows the name).
 */
export function learningBackendInWords(
  recorded: string | { name: string; detail?: string | null; adapter?: string | null },
): string {
  const { name, detail } =
    typeof recorded === 'string'
      ? parse(recorded)
      : { name: recorded.name.trim(), detail: recorded.detail?.trim() ?? '' };
  if (name === null) return identifiersInWords(detail);
  let rest = detail;
  let adapter = typeof recorded === 'string' ? '' : (recorded.adapter?.trim() ?? '');
  const onAdapter = /^on ([\s\S]*?)(?:: ([\s\S]*))?$/.exec(rest);
  if (onAdapter) {
    adapter = onAdapter[1]!;
    rest = onAdapter[2] ?? '';
  }
  const passedAt = rest.search(/(^|; )(WebGPU )?passed over: /);
  const what = passedAt < 0 ? rest : rest.slice(0, passedAt);
  const passed = passedAt < 0 ? '' : rest.slice(passedAt).replace(/^; /, '');
  const passedWords = passed.startsWith('passed over: ')
    ? passed.slice('passed over: '.length).replace(PASSED_OVER_LABEL, (_match, separator: string, label: string) => {
        return `${separator}${nameWords(label)} passed over: `;
      })
    : passed;
  const whatWords = whatInWords(name, what.trim());
  return [
    `${nameWords(name)}${adapter ? ` on ${adapter}` : ''}${whatWords ? `, ${whatWords}` : ''}`,
    ...(passedWords ? [identifiersInWords(passedWords)] : []),
  ].join('; ');
}
