/**
 * Which TypeScript/JavaScript flavor a language id or file name is. Kept apart from the parser
 * so that choosing files (the CLI's walk, the workspace index) does not load the compiler.
 */
/** How the file is parsed: JSX is allowed in `.tsx`, `.jsx` and (as in TypeScript itself) `.js`. */
export type ScriptFlavor = 'ts' | 'tsx' | 'js' | 'jsx';

/** The flavor for a language id (`typescriptreact`) or a file name (`model.mts`); null for neither. */
export function scriptFlavor(languageIdOrPath: string): ScriptFlavor | null {
  switch (languageIdOrPath) {
    case 'typescript':
      return 'ts';
    case 'typescriptreact':
      return 'tsx';
    case 'javascript':
      return 'js';
    case 'javascriptreact':
      return 'jsx';
  }
  const extension = /\.([cm]?[jt]sx?)$/i.exec(languageIdOrPath)?.[1].toLowerCase();
  if (!extension) return null;
  if (extension.endsWith('tsx')) return 'tsx';
  if (extension.endsWith('jsx')) return 'jsx';
  return extension.endsWith('ts') ? 'ts' : 'js';
}
