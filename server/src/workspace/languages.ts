/**
 * The front ends this server ships, by language id: the one place that names languages. A new
 * front end joins with one more `register` call.
 */
import { PythonDocument } from '../analysis/python/analyze';
import { scriptFlavor, TypeScriptDocument } from '../analysis/typescript/analyze';
import { FrontEndRegistry } from './frontends';

export function builtinFrontEnds(): FrontEndRegistry {
  const registry = new FrontEndRegistry();
  registry.register({ name: 'Python', languageIds: ['python'], createAnalyzer: () => PythonDocument.open() });
  registry.register({
    name: 'TypeScript/JavaScript',
    languageIds: ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'],
    createAnalyzer: async (languageId) => new TypeScriptDocument(scriptFlavor(languageId) ?? 'ts'),
  });
  return registry;
}
