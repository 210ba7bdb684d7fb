/**
 * Tells listeners in this process that a place's records of some kind have changed, so that what they
 * remember about that place can be forgotten at once. Another process serving the same database is not
 * told: whatever it remembers must expire on its own.
 */
export class ChangeNotice {
  readonly #listeners: ((placeId: string) => void)[] = [];

  listen(listener: (placeId: string) => void): void {
    this.#listeners.push(listener);
  }

  tell(placeId: string): void {
    for (const listener of this.#listeners) listener(placeId);
  }
}
