// Lit's dev build (chosen by the test resolver) stays on for its warnings; only its "dev mode" banner is muted.
(globalThis as { litIssuedWarnings?: Set<string> }).litIssuedWarnings = new Set(['dev-mode']);
