/** What the orchestrator hands the load generator: one workload against one target, as data. */
export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  /** Seconds; ignored when `amount` is set. */
  readonly duration: number;
  /** Total requests, for workloads that use up prepared one-time material (authorization codes). */
  readonly amount?: number;
  /** Each connection loops over these in order. */
  readonly steps: readonly LoadStep[];
}

export interface LoadStep {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Form body; `{code}` is replaced by the step's code (see `code`). */
  readonly body?: string;
  /** Where `{code}` comes from: the next unused prepared code, or the previous step's redirect. */
  readonly code?: { readonly pool: readonly string[] } | 'previous';
  /** A Cookie header per iteration, round robin (several signed-in browsers). */
  readonly cookies?: readonly string[];
  /** Send the access token captured by an earlier step as a Bearer token. */
  readonly bearer?: boolean;
  readonly expect: {
    readonly status: readonly number[];
    /** A redirect must go here (prefix) and carry `code`. */
    readonly redirectTo?: string;
    /** A JSON body must have this member, truthy. */
    readonly json?: string;
  };
  /** Keep the `code` of the redirect, or the JSON `access_token`, for the next steps. */
  readonly capture?: 'code' | 'access_token';
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** Unexpected statuses or bodies, socket errors and timeouts. */
  readonly errors: number;
  readonly errorSamples: readonly string[];
}
