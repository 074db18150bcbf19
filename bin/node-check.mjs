// The Node version check shared by bin/cwb.mjs and bin/web.mjs. Plain JavaScript with no imports, so it runs
// before tsx or any native module is loaded (on an older Node those crash, e.g. a segfault, instead of saying why).

/** The first Node major version the app runs on (package.json "engines"). */
export const REQUIRED_NODE_MAJOR = 22;

/**
 * One line saying which Node is needed, or null when `version` ("20.20.2") is recent enough. `command` is what
 * the user ran, `howToRun` how to run it with the project's own Node (the `node` dev dependency, which npx and
 * npm scripts put first on the PATH).
 */
export function nodeVersionProblem(version, command, howToRun = `npx ${command} …`) {
  const major = Number.parseInt(String(version).split('.')[0] ?? '', 10);
  if (Number.isInteger(major) && major >= REQUIRED_NODE_MAJOR) return null;
  return (
    `${command} needs Node ${REQUIRED_NODE_MAJOR} or later (this is Node ${version}); ` +
    `run it as ${howToRun}, which uses the project's Node ${REQUIRED_NODE_MAJOR}`
  );
}

/** Exits with status 2 after printing the one line when this Node is too old. */
export function requireSupportedNode(command, howToRun) {
  const problem = nodeVersionProblem(process.versions.node, command, howToRun);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(2);
  }
}
