/** What a secret is shown as when it leaves the server, and what a client sends back to keep it. */
export const HIDDEN_VALUE = '***';
