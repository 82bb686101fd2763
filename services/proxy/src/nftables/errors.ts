/** Failures of the nftables data plane, each with a stable code. */

/** `nft -f` refused a transaction; nothing of it was applied (nftables commits all or nothing). */
export class NftTransactionError extends Error {
  override name = 'NftTransactionError';
  readonly code = 'NftTransaction';
  constructor(
    readonly stderr: string,
    readonly statements: number,
    options?: ErrorOptions,
  ) {
    super(
      `nft transaction of ${statements} statement(s) failed: ${stderr.trim().split('\n').slice(0, 6).join(' | ')}`,
      options,
    );
  }
}

/** A `conntrack` command failed for another reason than "no entry matched". */
export class ConntrackCommandError extends Error {
  override name = 'ConntrackCommandError';
  readonly code = 'ConntrackCommand';
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(`conntrack ${args.join(' ')} failed: ${stderr.trim()}`, options);
  }
}
