// A small argument parser: positionals, boolean flags (--once), and flags
// with a value (--timeout 20 or --timeout=20). Unknown flags are errors
// that say which flags the command takes.

export class usage_error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'usage_error';
  }
}

export interface parsed_args {
  positional: string[];
  flags: Map<string, string | true>;
}

/** parse_args - @argv against the flags a command accepts (@bool: no value, @valued: takes one). */
export function parse_args(argv: readonly string[], bool: readonly string[], valued: readonly string[]): parsed_args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') || (a.startsWith('-') && a.length === 2 && !/^-\d$/.test(a))) {
      const eq = a.indexOf('=');
      const name = (eq > 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
      const alias: Record<string, string> = { y: 'yes', h: 'help', a: 'all' };
      const key = alias[name] ?? name;
      if (bool.includes(key)) {
        if (eq > 0) throw new usage_error(`--${key} takes no value`);
        flags.set(key, true);
      } else if (valued.includes(key)) {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new usage_error(`--${key} needs a value`);
        flags.set(key, v);
      } else {
        const known = [...bool, ...valued].map((f) => `--${f}`).join(', ');
        throw new usage_error(`unknown option ${a}${known ? ` (this command takes: ${known})` : ''}`);
      }
    } else positional.push(a);
  }
  return { positional, flags };
}

/** number_flag - a positive number flag, or @fallback. */
export function number_flag(p: parsed_args, name: string, fallback: number): number {
  const v = p.flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n <= 0) throw new usage_error(`--${name} needs a positive number, not "${String(v)}"`);
  return n;
}
