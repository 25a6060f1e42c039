// Registers every technique module of this build (imported once by the engine).
// Each technique module exports a factory; add one line per technique.
export {};
