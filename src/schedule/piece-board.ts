import type { Piece, PieceExchange, PieceOutcome, PieceWritten } from '../types.js';

/** A split's pieces on the board: how each ended, and who waits for them all. */
interface Split {
  pieces: readonly Piece[];
  outcomes: (PieceOutcome | undefined)[];
  left: number;
  settle: (outcomes: PieceOutcome[]) => void;
  /** The owner's ear for its pieces' bytes on disk, wherever they run. */
  onWritten: PieceWritten | undefined;
  /** Who shared it (a pool task's port), so that its splits go with it. */
  owner: unknown;
}

/**
 * `--split`, on the main thread: the ranges that owners share, handed to the run's free slots
 * before any new item, in every thread. A slot with nothing to do waits while items are in
 * flight, as any of them may yet be split; it is told there is nothing left once none is.
 * A piece is reported `done` by whoever ran it, and a split's owner learns when all its pieces
 * are. A piece that failed for good ends its split: those not yet begun are not handed out.
 */
export class PieceBoard implements PieceExchange {
  readonly #waiting: Piece[] = [];
  readonly #splits = new Map<string, Split>();
  /** Slots waiting for a piece: those of `wait` are told there is none once no item is in flight; those of `listen` (waiting on a feed too) are not. */
  #idle: { owner: unknown; hand: (piece: Piece | undefined) => void; untilStopped?: true }[] = [];
  /** Pieces (by split and start) whose worker went away with them once: a second time, they fail. */
  readonly #lost = new Set<string>();
  #inFlight = 0;

  share(split: string, pieces: readonly Piece[], onWritten?: PieceWritten, owner?: unknown): Promise<PieceOutcome[]> {
    return new Promise((settle) => {
      this.#splits.set(split, { pieces, outcomes: pieces.map(() => undefined), left: pieces.length, settle, onWritten, owner });
      this.#waiting.push(...pieces);
      this.#wake();
    });
  }

  takeBack(split: string): Promise<Piece | undefined> {
    return Promise.resolve(this.takeBackNow(split));
  }

  takeBackNow(split: string): Piece | undefined {
    const index = this.#waiting.findIndex((piece) => piece.split === split);
    return index === -1 ? undefined : this.#waiting.splice(index, 1)[0];
  }

  written(piece: Piece, bytes: number): void {
    this.#splits.get(piece.split)?.onWritten?.(piece.start, bytes);
  }

  done(piece: Piece, outcome: PieceOutcome): void {
    const split = this.#splits.get(piece.split);
    // By its start: a piece that crossed a port is a copy.
    const index = split?.pieces.findIndex((each) => each.start === piece.start) ?? -1;
    if (split === undefined || index === -1 || split.outcomes[index] !== undefined) return;
    split.outcomes[index] = outcome;
    split.left--;
    if (outcome.bytes < piece.end - piece.start) this.#drop(piece.split, split);
    this.#finishIf(piece.split, split);
  }

  /** A piece handed to a slot that had gone: the next free slot takes it. */
  putBack(piece: Piece): void {
    this.#waiting.unshift(piece);
    this.#wake();
  }

  /** Items in flight, or pieces waiting: a slot with nothing to do now may get a piece yet. */
  get busy(): boolean {
    return this.#inFlight > 0 || this.#waiting.length > 0;
  }

  /** A piece for a free slot, if one waits. */
  take(): Piece | undefined {
    return this.#waiting.shift();
  }

  /** An item went to a slot: until it ends, it may share pieces. */
  started(): void {
    this.#inFlight++;
  }

  /** An item ended: when none is left in flight, the slots waiting for pieces are told there will be none. */
  finished(): void {
    this.#inFlight--;
    if (this.#inFlight > 0 || this.#waiting.length > 0) return;
    const told = this.#idle.filter((waiter) => waiter.untilStopped === undefined);
    this.#idle = this.#idle.filter((waiter) => waiter.untilStopped !== undefined);
    for (const { hand } of told) hand(undefined);
  }

  /**
   * Hands `hand` a piece, now or once one is shared; or undefined, now or later, when no item is in
   * flight that could share one. `owner` (a pool task) may be withdrawn meanwhile.
   */
  wait(hand: (piece: Piece | undefined) => void, owner?: unknown): void {
    const piece = this.take();
    if (piece !== undefined || this.#inFlight === 0) hand(piece);
    else this.#idle.push({ owner, hand });
  }

  /**
   * Hands `hand` the next piece shared, however long that takes, unless `stop` (what this returns)
   * comes first: a slot waiting for a feed's next job, which a split's range may reach before it.
   */
  listen(hand: (piece: Piece) => void, owner?: unknown): () => void {
    const piece = this.take();
    if (piece !== undefined) {
      hand(piece);
      return () => {};
    }
    const waiter = { owner, hand: (piece: Piece | undefined) => hand(piece!), untilStopped: true as const };
    this.#idle.push(waiter);
    return () => {
      this.#idle = this.#idle.filter((one) => one !== waiter);
    };
  }

  /**
   * A pool task whose worker went away: the pieces it held go to another slot, from their start
   * (the positional writes of the first try are simply written again), or, lost like this once
   * before, end unfinished, so that their splits can end; the splits it owned are dropped, their
   * pieces not handed out; its waits are void.
   */
  withdraw(owner: unknown, held: Iterable<Piece>): void {
    this.#idle = this.#idle.filter((waiter) => waiter.owner !== owner);
    for (const piece of held) {
      const key = `${piece.split} ${piece.start}`;
      if (this.#lost.has(key)) this.done(piece, { bytes: 0, error: `bytes=${piece.start}-${piece.end - 1}: the worker thread fetching it stopped, twice` });
      else if (this.#splits.has(piece.split)) {
        this.#lost.add(key);
        this.putBack(piece);
      }
    }
    for (const [id, split] of this.#splits) {
      if (split.owner !== owner) continue;
      this.#splits.delete(id);
      this.#waiting.splice(0, this.#waiting.length, ...this.#waiting.filter((piece) => piece.split !== id));
    }
  }

  /** The pieces of a split not yet handed out end unfetched. */
  #drop(id: string, split: Split): void {
    for (let index = this.#waiting.length - 1; index >= 0; index--) {
      const piece = this.#waiting[index]!;
      if (piece.split !== id) continue;
      this.#waiting.splice(index, 1);
      split.outcomes[split.pieces.indexOf(piece)] = { bytes: 0 };
      split.left--;
    }
  }

  #finishIf(id: string, split: Split): void {
    if (split.left > 0) return;
    this.#splits.delete(id);
    split.settle(split.outcomes as PieceOutcome[]);
  }

  #wake(): void {
    while (this.#idle.length > 0 && this.#waiting.length > 0) this.#idle.shift()!.hand(this.#waiting.shift());
  }
}
