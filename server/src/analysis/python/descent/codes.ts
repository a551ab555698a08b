/** Token codes the parsers compare against: operators, and keywords (`K`, `S`). */
import { kw, op } from './tokens';

export const LPAR = op('(');
export const RPAR = op(')');
export const LSQB = op('[');
export const RSQB = op(']');
export const LBRACE = op('{');
export const RBRACE = op('}');
export const COMMA = op(',');
export const COLON = op(':');
export const DOT = op('.');
export const EQUAL = op('=');
export const STAR = op('*');
export const DOUBLESTAR = op('**');
export const WALRUS = op(':=');
export const ELLIPSIS = op('...');
export const MINUS = op('-');
export const PLUS = op('+');
export const TILDE = op('~');
export const VBAR = op('|');
export const SEMICOLON = op(';');
export const SLASH = op('/');
export const AT = op('@');
export const ARROW = op('->');

export const K = {
  False: kw('False'),
  None: kw('None'),
  True: kw('True'),
  and: kw('and'),
  as: kw('as'),
  async: kw('async'),
  await: kw('await'),
  else: kw('else'),
  for: kw('for'),
  from: kw('from'),
  if: kw('if'),
  in: kw('in'),
  is: kw('is'),
  lambda: kw('lambda'),
  not: kw('not'),
  or: kw('or'),
  yield: kw('yield'),
};

/** Keywords that start statements, and soft keywords. */
export const S = {
  assert: kw('assert'),
  break: kw('break'),
  class: kw('class'),
  continue: kw('continue'),
  def: kw('def'),
  del: kw('del'),
  elif: kw('elif'),
  except: kw('except'),
  finally: kw('finally'),
  global: kw('global'),
  import: kw('import'),
  nonlocal: kw('nonlocal'),
  pass: kw('pass'),
  raise: kw('raise'),
  return: kw('return'),
  try: kw('try'),
  while: kw('while'),
  with: kw('with'),
  print: kw('print'),
  exec: kw('exec'),
  match: kw('match'),
  case: kw('case'),
  type: kw('type'),
  future: kw('__future__'),
};
