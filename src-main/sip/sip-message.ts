// SIP messages as the `sip` package parses and stringifies them (pure types): the shape every pure
// module (dialog, registerer, calls) reads and builds, so only sip-stack.node.ts knows the package.

/** Header parameters (";tag=x", ";lr", ";expires=60"); null = a parameter without value. */
export type HeaderParams = Record<string, string | null | undefined>;

/** A URI as the package's parseUri returns it (Route / Record-Route entries). `port` is NaN when absent. */
export interface PackageUri {
  schema?: string;
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Record<string, string | null>;
  headers?: Record<string, string>;
}

/**
 * To / From / Contact: `name` is the display name as on the wire (quoted-string or tokens, quotes
 * kept), `uri` the URI text. When building, `name` must already be quoted (quoteDisplayName).
 */
export interface SipNameAddr {
  name?: string;
  uri: string;
  params: HeaderParams;
}

/** Route / Record-Route / Path entries: the package parses their URIs into objects; strings are accepted when sending. */
export interface SipRouteEntry {
  name?: string;
  uri: PackageUri | string;
  params: HeaderParams;
}

export interface SipVia {
  version?: string;
  protocol?: string;
  host?: string;
  port?: number;
  params: HeaderParams;
}

export interface SipCSeq {
  seq: number;
  method: string;
}

/** WWW-Authenticate / Authorization and friends: scheme plus parameters with their quotes as on the wire. */
export type SipAuthHeader = Record<string, string | undefined>;

export type SipHeaderValue =
  | string
  | number
  | SipVia[]
  | SipNameAddr
  | SipNameAddr[]
  | SipRouteEntry[]
  | SipCSeq
  | SipAuthHeader
  | SipAuthHeader[];

/**
 * Header names are lower-case, compact forms expanded. Headers the package has no parser for are
 * strings; repeated ones are joined with ','.
 */
export interface SipHeaders {
  /** Requests we send may start with []: the stack adds our own Via (CANCEL must carry the INVITE's). */
  via: SipVia[];
  to: SipNameAddr;
  from: SipNameAddr;
  'call-id': string;
  cseq: SipCSeq;
  contact?: SipNameAddr[] | '*';
  route?: SipRouteEntry[];
  'record-route'?: SipRouteEntry[];
  'www-authenticate'?: SipAuthHeader[];
  'proxy-authenticate'?: SipAuthHeader[];
  authorization?: SipAuthHeader[];
  'proxy-authorization'?: SipAuthHeader[];
  'content-length'?: number;
  'content-type'?: string;
  'max-forwards'?: string | number;
  expires?: string | number;
  [name: string]: SipHeaderValue | undefined;
}

export interface SipRequest {
  method: string;
  uri: string;
  version?: string;
  headers: SipHeaders;
  content?: string;
}

export interface SipResponse {
  status: number;
  reason: string;
  version?: string;
  headers: SipHeaders;
  content?: string;
}

export type SipMessage = SipRequest | SipResponse;

export function isRequest(m: SipMessage): m is SipRequest {
  return typeof (m as SipRequest).method === 'string';
}
