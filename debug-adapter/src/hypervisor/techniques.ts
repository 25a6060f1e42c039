// Registers every technique module of this build (imported once by the engine).
import { registerTechnique } from './index.js';
import { trapEmulateFactory } from './trap-emulate/index.js';
import { vtxFactory } from './vtx/vtx.js';
import { btFactory } from './binary-translation/index.js';
import { pvFactory } from './paravirt/index.js';

registerTechnique('trap-and-emulate', trapEmulateFactory);
registerTechnique('vt-x', vtxFactory);
registerTechnique('binary-translation', btFactory);
registerTechnique('paravirt', pvFactory);
