// Asking the learner a yes/no question on a terminal.
import { createInterface } from 'node:readline';

/** confirm - ask @question; true only for an answer starting with y. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(`${question} [y/N] `, resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
