// Public API of the report package.
export {};
