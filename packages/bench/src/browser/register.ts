import { hasBackend, registerBackend } from '@affectbench/core';
import { browserWasm, browserWebgpu } from './backend.ts';

// Importing the bench package makes the browser backends available by name, next to core's node-* backends.
for (const b of [browserWasm, browserWebgpu]) if (!hasBackend(b.name)) registerBackend(b);
