// Node has WebAssembly, but its types come only with the DOM's lib: the few parts used here.
declare namespace WebAssembly {
  // biome-ignore lint/suspicious/noEmptyInterface: an opaque compiled module
  interface Module {}
  function compile(bytes: Uint8Array): Promise<Module>;
  function instantiate(bytes: Uint8Array): Promise<unknown>;
  class RuntimeError extends Error {}
}
