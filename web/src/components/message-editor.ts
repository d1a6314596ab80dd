/**
 * Edits one message in place: Enter saves, Shift+Enter starts a new line, Escape cancels. Like the composer it
 * keeps the new text until the server confirms, so a refused edit (rate limit, dropped connection) loses nothing.
 */
import { css, html, LitElement } from 'lit';
import { live } from 'lit/directives/live.js';
import { MAX_MESSAGE_CHARS } from '../lib/limits';
import { fire } from './events';
import { sharedStyles } from './shared-styles';

/** The detail of `edit-save`. */
export interface EditorSave {
  text: string;
  done(saved: boolean): void;
}

export class MessageEditor extends LitElement {
  static override properties = {
    text: { attribute: false },
    disabled: { type: Boolean },
    draft: { state: true },
    saving: { state: true },
  };
  /** The message's text as it was when editing started. */
  declare text: string;
  /** Saving is impossible right now (not connected); typing still is. */
  declare disabled: boolean;
  declare draft: string;
  declare saving: boolean;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        gap: 0.35rem;
      }
      textarea {
        width: 100%;
        min-width: min(24rem, 70vw);
        resize: vertical;
        min-height: 2.6rem;
        max-height: 40vh;
      }
      label {
        font-size: 0.8rem;
        font-weight: 600;
        color: var(--chat-muted);
      }
      .buttons {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        flex-wrap: wrap;
      }
      .hint {
        margin: 0;
        font-size: 0.8rem;
        color: var(--chat-muted);
      }
      .hint.over {
        color: var(--chat-danger);
      }
    `,
  ];

  constructor() {
    super();
    this.text = '';
    this.disabled = false;
    this.draft = '';
    this.saving = false;
  }

  protected override willUpdate(): void {
    // The draft starts as the message; later changes to the message (another tab) must not wipe the user's work.
    if (!this.hasUpdated) this.draft = this.text;
  }

  protected override firstUpdated(): void {
    this.focus();
  }

  override focus(): void {
    const textarea = this.renderRoot.querySelector('textarea');
    if (!textarea) return;
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  }

  override render() {
    const length = this.draft.trim().length;
    const over = length - MAX_MESSAGE_CHARS;
    const canSave = !this.disabled && !this.saving && length > 0 && over <= 0;
    return html`
      <form @submit=${this.onSubmit}>
        <label for="edit">Edit message</label>
        <textarea
          id="edit"
          rows="2"
          aria-describedby="edit-hint"
          .value=${live(this.draft)}
          ?readonly=${this.saving}
          @input=${this.onInput}
          @keydown=${this.onKeydown}
        ></textarea>
        <div class="buttons">
          <button type="submit" class="primary" ?disabled=${!canSave}>Save</button>
          <button type="button" @click=${this.cancel}>Cancel</button>
          <p id="edit-hint" class=${over > 0 ? 'hint over' : 'hint'}>
            ${
              over > 0
                ? `${over} characters over the limit of ${MAX_MESSAGE_CHARS}.`
                : length === 0
                  ? 'A message needs some text; delete it instead.'
                  : this.disabled
                    ? 'Saving resumes when the connection is back.'
                    : 'Enter to save, Escape to cancel.'
            }
          </p>
        </div>
      </form>
    `;
  }

  private onInput(event: Event): void {
    this.draft = (event.target as HTMLTextAreaElement).value;
  }

  private onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      // The editor is the innermost thing Escape can close; nothing around it should also react.
      event.preventDefault();
      event.stopPropagation();
      this.cancel();
      return;
    }
    // isComposing: Enter also confirms an IME composition and must not save then.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.save();
  }

  private onSubmit(event: Event): void {
    event.preventDefault();
    this.save();
  }

  private readonly cancel = (): void => {
    if (!this.saving) fire(this, 'edit-cancel', null);
  };

  private save(): void {
    const text = this.draft.trim();
    if (this.disabled || this.saving || text.length === 0 || text.length > MAX_MESSAGE_CHARS) return;
    // Saving what is already there is closing the editor, not a request that counts against the rate limit.
    if (text === this.text) return void fire(this, 'edit-cancel', null);
    this.saving = true;
    const request: EditorSave = {
      text,
      done: (saved) => {
        this.saving = false;
        if (!saved && this.shadowRoot?.activeElement) void this.updateComplete.then(() => this.focus());
      },
    };
    fire(this, 'edit-save', request);
  }
}

customElements.define('message-editor', MessageEditor);

declare global {
  interface HTMLElementTagNameMap {
    'message-editor': MessageEditor;
  }
}
