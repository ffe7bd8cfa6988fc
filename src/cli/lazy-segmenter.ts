/**
 * string-width (used by yargs, cliui and wrap-ansi for the help layout) builds an
 * `Intl.Segmenter` when its module is evaluated, and the first one loads ICU's break-iterator
 * data: about 70 ms of every start, though only help text is ever measured. While `load` runs,
 * a segmenter is made on its first use instead, so a run that prints no help never pays for it.
 */
type SegmenterArgs = ConstructorParameters<typeof Intl.Segmenter>;

export async function withLazySegmenter<T>(load: () => Promise<T>): Promise<T> {
  const Eager = Intl.Segmenter;
  class LazySegmenter {
    static supportedLocalesOf = Eager.supportedLocalesOf.bind(Eager);
    readonly #args: SegmenterArgs;
    #made: Intl.Segmenter | undefined;
    constructor(...args: SegmenterArgs) {
      this.#args = args;
    }
    #segmenter(): Intl.Segmenter {
      return (this.#made ??= new Eager(...this.#args));
    }
    segment(input: string): Intl.Segments {
      return this.#segmenter().segment(input);
    }
    resolvedOptions(): Intl.ResolvedSegmenterOptions {
      return this.#segmenter().resolvedOptions();
    }
  }
  const intl = Intl as { Segmenter: unknown };
  intl.Segmenter = LazySegmenter;
  try {
    return await load();
  } finally {
    intl.Segmenter = Eager;
  }
}
