/** Layout shared by the admin sections: a create form, then one row per item. */
import { css } from 'lit';

export const adminStyles = css`
  :host {
    display: block;
  }
  section {
    display: grid;
    gap: 0.75rem;
  }
  h2 {
    margin: 0;
    font-size: 1.2rem;
  }
  form.create {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: end;
    padding: 0.75rem;
    background: var(--chat-surface);
    border: 1px solid var(--chat-border);
    border-radius: var(--chat-radius);
  }
  form.create label:not(.check) {
    display: grid;
    gap: 0.2rem;
    font-weight: 600;
  }
  label.check {
    display: inline-flex;
    gap: 0.35rem;
    align-items: center;
    min-height: 2.25rem;
  }
  .status {
    margin: 0;
    color: var(--chat-ok);
    min-height: 1.4em;
  }
  ul.rows {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.5rem;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: center;
    padding: 0.5rem 0.75rem;
    background: var(--chat-surface);
    border: 1px solid var(--chat-border);
    border-radius: var(--chat-radius);
  }
  /* A labelled field and its button stay on one line; the field gives way on narrow screens. */
  .row form {
    display: flex;
    gap: 0.4rem;
    align-items: center;
    flex: 1 1 18rem;
    min-width: 0;
    max-width: 28rem;
  }
  .row label.field {
    display: flex;
    align-items: center;
    gap: 0.4rem;
    flex: 1;
    min-width: 0;
    font-size: 0.9rem;
    color: var(--chat-muted);
  }
  .row label.field input {
    flex: 1;
    width: 100%;
    min-width: 0;
    color: var(--chat-text);
  }
  @media (max-width: 500px) {
    .row form {
      flex-basis: 100%;
      max-width: none;
      align-items: end;
    }
    .row label.field {
      flex-direction: column;
      align-items: stretch;
      gap: 0.15rem;
    }
  }
  .name {
    font-weight: 600;
    min-width: 8rem;
  }
  .muted {
    color: var(--chat-muted);
    font-size: 0.85rem;
  }
`;
