/** Failures of the DNS server, each with a stable code that callers branch on. */

/** A message is malformed (RFC 1035 FORMERR). */
export class DnsFormatError extends Error {
  override name = 'DnsFormatError';
  readonly code = 'FormErr';
}

/** A response does not fit in the encoder's buffer (65535 octets). */
export class DnsEncodeOverflowError extends Error {
  override name = 'DnsEncodeOverflowError';
  readonly code = 'EncodeOverflow';
}

/** A name cannot be put on the wire (label > 63 or name > 255 octets). */
export class DnsNameError extends Error {
  override name = 'DnsNameError';
  readonly code = 'BadName';
}
