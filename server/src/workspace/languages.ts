/**
 * The front ends this server ships, by language id: the one place that names languages. A new
 * front end joins with one more `register` call.
 */
import { PythonDocument } from '../analysis/python/analyze';
import type { PythonWorkspace } from '../analysis/python/workspace';
import { FrontEndRegistry } from './frontends';

/** `python`: the workspace index Python documents join (their shapes then come from the whole workspace). */
export function builtinFrontEnds(python: Promise<PythonWorkspace> | null = null): FrontEndRegistry {
  const registry = new FrontEndRegistry();
  registry.register({ name: 'Python', languageIds: ['python'], createAnalyzer: async () => PythonDocument.open(undefined, python && (await python)) });
  registry.register({
    name: 'TypeScript/JavaScript',
    languageIds: ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'],
    createAnalyzer: async (languageId) => {
      const { TypeScriptDocument, scriptFlavor } = typescriptFrontEnd();
      return new TypeScriptDocument(scriptFlavor(languageId) ?? 'ts');
    },
  });
  return registry;
}

/**
 * The TypeScript front end, loaded when the first TypeScript or JavaScript document opens: it
 * brings the TypeScript compiler (megabytes of code and a noticeable start-up) that a
 * Python-only workspace never needs.
 */
function typescriptFrontEnd(): typeof import('../analysis/typescript/analyze') {
  return require('../analysis/typescript/analyze');
}
