/**
 * What a user notices of a page's layout and forms, measured inside the page, through the components' shadow
 * roots: which parts scroll, and which fields have no label they can see.
 */
import type { Page } from 'playwright-core';

/** Everything the user can scroll up and down, by tag name; the page itself is "document". */
export function verticalScrollers(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const root = document.scrollingElement;
    if (root && root.scrollHeight > root.clientHeight) found.push('document');
    const visit = (node: Document | ShadowRoot) => {
      for (const element of node.querySelectorAll('*')) {
        const { overflowY } = getComputedStyle(element);
        const scrolls = overflowY === 'auto' || overflowY === 'scroll';
        if (scrolls && element.scrollHeight > element.clientHeight + 1) found.push(element.localName);
        if (element.shadowRoot) visit(element.shadowRoot);
      }
    };
    visit(document);
    return found;
  });
}

/**
 * Fields on screen with no label the eye can see: none of their <label>s shows text of its own (words in
 * `.visually-hidden`, the house helper for screen-reader-only text, do not count; nor do aria-label and
 * placeholders). Each is named by its element, name and component, e.g. "input[password] in admin-users".
 */
export function fieldsWithoutVisibleLabel(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const missing: string[] = [];
    const shows = (label: HTMLLabelElement) => {
      const box = label.getBoundingClientRect();
      if (label.classList.contains('visually-hidden') || box.width <= 1 || box.height <= 1) return false;
      const copy = label.cloneNode(true) as HTMLElement;
      for (const part of copy.querySelectorAll('.visually-hidden, input, textarea, select')) part.remove();
      return (copy.textContent ?? '').trim().length > 0;
    };
    const visit = (node: Document | ShadowRoot, host: string) => {
      for (const element of node.querySelectorAll('*')) {
        const field =
          element instanceof HTMLInputElement ||
          element instanceof HTMLTextAreaElement ||
          element instanceof HTMLSelectElement
            ? element
            : null;
        const onScreen = field !== null && field.type !== 'hidden' && field.getClientRects().length > 0;
        if (field && onScreen && ![...(field.labels ?? [])].some(shows)) {
          missing.push(`${field.localName}[${field.name || field.type}] in ${host}`);
        }
        if (element.shadowRoot) visit(element.shadowRoot, element.localName);
      }
    };
    visit(document, 'document');
    return missing;
  });
}
