// The token-colour rules of VS Code's built-in themes (extensions/theme-defaults/themes in
// microsoft/vscode) whose selectors can match this grammar's instruction scopes, in each theme's
// include order (included file first; later rules win ties, as in VS Code). Other rules are left
// out: they name other languages' scopes or scopes this grammar does not use for instructions.
import type { IRawTheme } from 'vscode-textmate';

type Rule = readonly [scope: string, foreground: string];

const DARK_VS: Rule[] = [
  ['keyword', '#569CD6'],
  ['keyword.control', '#569CD6'],
  ['keyword.operator', '#D4D4D4'],
  ['storage', '#569CD6'],
  ['storage.type', '#569CD6'],
  ['variable.language', '#569CD6'],
  ['invalid', '#F44747'],
];
const DARK_PLUS: Rule[] = [
  ['entity.name.function', '#DCDCAA'],
  ['support.function', '#DCDCAA'],
  ['support.class', '#4EC9B0'],
  ['support.type', '#4EC9B0'],
  ['entity.name.type', '#4EC9B0'],
  ['keyword.control', '#C586C0'],
  ['keyword.other.using', '#C586C0'],
  ['keyword.other.operator', '#C586C0'],
  ['variable', '#9CDCFE'],
];
const LIGHT_VS: Rule[] = [
  ['keyword', '#0000FF'],
  ['keyword.control', '#0000FF'],
  ['keyword.operator', '#000000'],
  ['storage', '#0000FF'],
  ['storage.type', '#0000FF'],
  ['variable.language', '#0000FF'],
  ['invalid', '#CD3131'],
];
const LIGHT_PLUS: Rule[] = [
  ['entity.name.function', '#795E26'],
  ['support.function', '#795E26'],
  ['support.class', '#267F99'],
  ['support.type', '#267F99'],
  ['entity.name.type', '#267F99'],
  ['keyword.control', '#AF00DB'],
  ['keyword.other.using', '#AF00DB'],
  ['keyword.other.operator', '#AF00DB'],
  ['variable', '#001080'],
];
// The 2026 themes include Dark/Light Modern and add GitHub-style colours on top.
const DARK_2026: Rule[] = [
  ['entity.name.function', '#D2A8FF'],
  ['keyword', '#FF7B72'],
  ['storage', '#FF7B72'],
  ['storage.type', '#FF7B72'],
  ['support', '#79C0FF'],
  ['variable', '#FFA657'],
  ['variable.other', '#C9D1D9'],
];
const LIGHT_2026: Rule[] = [
  ['entity.name.function', '#8250DF'],
  ['keyword', '#CF222E'],
  ['storage', '#CF222E'],
  ['storage.type', '#CF222E'],
  ['support', '#0550AE'],
  ['variable', '#953800'],
  ['variable.other', '#1F2328'],
];

function theme(name: string, foreground: string, ...layers: Rule[][]): IRawTheme {
  return {
    name,
    settings: [
      { settings: { foreground } },
      ...layers.flat().map(([scope, fg]) => ({ scope, settings: { foreground: fg } })),
    ],
  };
}

/** Dark Modern and Light Modern add no token colours to Dark+ and Light+. */
export const DEFAULT_THEMES: readonly IRawTheme[] = [
  theme('Dark Modern', '#D4D4D4', DARK_VS, DARK_PLUS),
  theme('Light Modern', '#000000', LIGHT_VS, LIGHT_PLUS),
  theme('Dark 2026', '#D4D4D4', DARK_VS, DARK_PLUS, DARK_2026),
  theme('Light 2026', '#000000', LIGHT_VS, LIGHT_PLUS, LIGHT_2026),
];
