// Names shared by package.json's contributions and the code that registers them (one place, so a
// renamed command or setting cannot leave the manifest pointing at nothing).
export const DEBUG_TYPE = 'hyperstep';
export const LANGUAGE_ID = 'guest-asm';

export const Command = {
  debugFile: 'hyperstep.debugFile',
  debugFileWithTechnique: 'hyperstep.debugFileWithTechnique',
  selectTechnique: 'hyperstep.selectTechnique',
  pickTechnique: 'hyperstep.pickTechnique',
  compare: 'hyperstep.compare',
  showTranslation: 'hyperstep.showTranslation',
  sendSerialInput: 'hyperstep.sendSerialInput',
  showStatistics: 'hyperstep.showStatistics',
  clearExits: 'hyperstep.clearExits',
  revealExit: 'hyperstep.revealExit',
  openSample: 'hyperstep.openSample',
  copySamples: 'hyperstep.copySamples',
  showOutput: 'hyperstep.showOutput',
} as const;

export const View = {
  exits: 'hyperstep.exits',
} as const;

/** Setting keys below the `hyperstep` section. */
export const Setting = {
  technique: 'technique',
  adapterInline: 'adapter.inline',
  languageServerEnabled: 'languageServer.enabled',
  traceServer: 'trace.server',
  exitsMaxEvents: 'exitsView.maxEvents',
  compareMaxInstructions: 'compare.maxInstructions',
  serialAppendNewline: 'serialInput.appendNewline',
  // Read by the language server (workspace/configuration), not by the client.
  includePaths: 'includePaths',
  defines: 'defines',
} as const;

export const SECTION = 'hyperstep';

/** Context keys for when-clauses. */
export const ContextKey = {
  active: 'hyperstep.active',
} as const;

/** Custom DAP events and requests of the Hyperstep adapter. */
export const Dap = {
  exitEvent: 'hyperstep.exit',
  statsEvent: 'hyperstep.stats',
  serialInput: 'hyperstep.serialInput',
  translation: 'hyperstep.translation',
} as const;
