import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_MODULES } from '../../src/composition-root.js';
import { GRAPH_COMMAND, renderArchitecture } from '../../src/extracted/graph/architecture-doc.js';
import { ARCHITECTURE_FILE } from '../../src/extracted/graph/graph-command.js';

describe('docs/architecture.md', () => {
  it('is what the code generates', () => {
    const committed = existsSync(ARCHITECTURE_FILE) ? readFileSync(ARCHITECTURE_FILE, 'utf8') : '';
    // The message is the fix: the document is generated, never edited.
    expect(committed, `docs/architecture.md is stale: run \`${GRAPH_COMMAND}\` and commit the result`).toBe(renderArchitecture(ALL_MODULES));
  });
});
