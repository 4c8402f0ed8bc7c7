// Public API of this folder; see its modules.
export {};
