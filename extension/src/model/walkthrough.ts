// The context key a walkthrough step waits for (package.json: completionEvents `onContext:...`):
// set when "Open Sample" has started that sample under that technique.
import * as path from 'node:path';

export function ranContextKey(sample: string, technique: string): string {
  return `hyperstep.ran.${path.basename(sample, '.asm')}_${technique}`.replace(/[^\w.]/g, '_');
}
