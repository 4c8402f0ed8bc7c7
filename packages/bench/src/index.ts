// Public API of the bench package.
export {};
