/** MediaWiki's `mwoauthconsumer` log actions. */
export type ConsumerLogAction =
  | 'propose'
  | 'propose-autoapproved'
  | 'create-owner-only'
  | 'update'
  | 'approve'
  | 'reject'
  | 'disable'
  | 'reenable'
  /** Ours: MediaWiki expires idle proposals silently (Utils::runAutoMaintenance); we log it. */
  | 'expire'
  | 'delete'
  /**
   * Ours: the trusted mark set or taken away (docs/mediawiki-compat.md, "Trusted consumers").
   * MediaWiki has no such mark, so no action of its own for it.
   */
  | 'trust'
  | 'untrust';

export interface ConsumerLogEntry {
  readonly id?: number;
  readonly action: ConsumerLogAction;
  /** Performer's user id; 0 for the command line. */
  readonly actor: number;
  /** The consumer's owner (MediaWiki logs against `User:<owner>`). */
  readonly targetUser: number;
  readonly consumerKey: string;
  readonly comment: string;
  readonly timestamp: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

export interface ManagementLog {
  append(entry: ConsumerLogEntry): Promise<void>;
  forConsumer(consumerKey: string): Promise<ConsumerLogEntry[]>;
}
