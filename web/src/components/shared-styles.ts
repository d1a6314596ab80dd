/** Styles every component adopts: buttons, form fields, alerts and the visually-hidden helper. */
import { css } from 'lit';

export const sharedStyles = css`
  :host {
    box-sizing: border-box;
  }
  :host([hidden]) {
    display: none !important;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  button {
    font: inherit;
    cursor: pointer;
    border: 1px solid var(--chat-border);
    background: var(--chat-surface);
    color: var(--chat-text);
    border-radius: var(--chat-radius);
    padding: 0.35rem 0.75rem;
    min-height: 2.25rem;
  }
  button.primary {
    background: var(--chat-accent);
    border-color: var(--chat-accent);
    color: var(--chat-accent-text);
  }
  button.danger {
    color: var(--chat-danger);
    border-color: var(--chat-danger);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  button:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  a:focus-visible {
    outline: 3px solid var(--chat-accent);
    outline-offset: 2px;
  }
  input[type='text'],
  input[type='password'],
  textarea {
    font: inherit;
    color: inherit;
    background: var(--chat-surface);
    border: 1px solid var(--chat-border);
    border-radius: var(--chat-radius);
    padding: 0.4rem 0.55rem;
    min-width: 0;
  }
  [role='alert'] {
    color: var(--chat-danger);
    border: 1px solid currentColor;
    border-radius: var(--chat-radius);
    padding: 0.5rem 0.75rem;
    background: #fdf1f0;
  }
  .badge {
    display: inline-block;
    min-width: 1.4em;
    padding: 0 0.4em;
    border-radius: 999px;
    background: var(--chat-accent);
    color: var(--chat-accent-text);
    font-size: 0.8em;
    font-weight: 600;
    text-align: center;
  }
  .tag {
    display: inline-block;
    padding: 0 0.4em;
    border: 1px solid var(--chat-warn);
    border-radius: var(--chat-radius);
    color: var(--chat-warn);
    font-size: 0.75em;
    text-transform: uppercase;
    letter-spacing: 0.03em;
  }
`;
