import bcrypt from 'bcrypt';

/** Hashes a password with bcrypt at the configured cost. */
export function hashPassword(password: string, rounds: number): Promise<string> {
  return bcrypt.hash(password, rounds);
}

/**
 * Compares a password with a stored hash. When there is no user, it compares against a hash of
 * the same cost anyway, so an unknown login takes as long as a wrong password.
 */
export class PasswordVerifier {
  private readonly dummyHash: Promise<string>;

  constructor(private readonly rounds: number) {
    this.dummyHash = bcrypt.hash('unused dummy password', rounds);
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const matches = await bcrypt.compare(password, hash ?? (await this.dummyHash));
    return hash !== undefined && matches;
  }
}
