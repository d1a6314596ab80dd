/**
 * The one order of room lists, the REST list and the web client's live list alike: by title as a person reads
 * it, then by id. Free of TypeBox, so the web client imports it (`@chat/protocol/room-order`) without the rest
 * of the protocol's runtime.
 *
 * Sorted here rather than by the database: a collation is a property of the Postgres build (the embedded
 * PGlite and Alpine's musl offer little beyond C, which puts "Zebra" before "apple"), and a live list must
 * place a room exactly where the next refresh will put it.
 */

// A fixed locale, not the reader's: the server and every browser must agree, or a room placed live would jump
// on the next refresh. English uses Unicode's default (CLDR root) order, which suits most scripts: case and
// accents count only between titles that are otherwise equal, and digits by value ("Room 2" before "Room 10").
const titleOrder = new Intl.Collator('en', { numeric: true });

export function compareRooms(a: { id: string; title: string }, b: { id: string; title: string }): number {
  const byTitle = titleOrder.compare(a.title, b.title);
  if (byTitle !== 0) return byTitle;
  // Ids are unique ASCII: code-unit order makes the order total.
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
