const MAX_EXAMPLES = 5;

/** Broken invariants by kind: the full count and the first few examples of each. */
export class Violations {
  private readonly kinds = new Map<string, { count: number; examples: string[] }>();

  add(kind: string, example: string): void {
    const entry = this.kinds.get(kind) ?? { count: 0, examples: [] };
    entry.count += 1;
    if (entry.examples.length < MAX_EXAMPLES) entry.examples.push(example);
    this.kinds.set(kind, entry);
  }

  count(kind?: string): number {
    if (kind !== undefined) return this.kinds.get(kind)?.count ?? 0;

    let total = 0;
    for (const { count } of this.kinds.values()) total += count;

    return total;
  }

  list(): string[] {
    return [...this.kinds.entries()].map(
      ([kind, { count, examples }]) => `${kind}: ${count} (e.g. ${examples.join('; ')})`,
    );
  }
}
