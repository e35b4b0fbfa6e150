// One run per key at a time within this process: callers asking for a key already in flight get
// the same promise (the upstream is asked once however many clients want the same thing).
export class SingleFlight<T> {
  private readonly flights = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    let flight = this.flights.get(key);
    if (!flight) {
      flight = work().finally(() => this.flights.delete(key));
      this.flights.set(key, flight);
    }
    return flight;
  }

  /** The flight for key, if one is under way. */
  current(key: string): Promise<T> | undefined {
    return this.flights.get(key);
  }

  /** Keys in flight now; a key is dropped when its run settles. */
  get size(): number {
    return this.flights.size;
  }
}
