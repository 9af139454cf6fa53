// Argument parsers for commander options: clear messages naming the bad value.
import { InvalidArgumentError } from "commander";

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return n;
}

export function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected an integer >= 0, got "${v}"`);
  return n;
}

export function probability(v: string): number {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`expected a number in [0, 1], got "${v}"`);
  return n;
}

export function positiveNumber(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError(`must be a number > 0, got "${v}"`);
  return n;
}
