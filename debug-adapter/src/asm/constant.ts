// Evaluates preprocessor-time expressions (%if, %assign, %rep): numbers and operators only.
import { tokenize } from './lexer.js';
import { evaluate, parseExpr, TokenStream } from './expr.js';

export function evaluateConstant(text: string): bigint {
  const ts = new TokenStream(tokenize(text), text.length);
  const expr = parseExpr(ts);
  const rest = ts.peek();
  if (rest) throw new Error(`unexpected '${rest.text}' in expression`);
  const v = evaluate(expr, {
    lookup: () => undefined,
    onUnknown: (name) => {
      throw new Error(`symbol \`${name}' is not a constant known to the preprocessor`);
    },
  });
  if (v.regs?.length) throw new Error('registers are not allowed in a preprocessor expression');
  return v.n;
}
