export type PresenceStatus = 'online' | 'away' | 'offline';

/** PROTOCOL.md `Presence`. */
export interface PresenceView {
  userId: string;
  status: PresenceStatus;
  /** When the user last went offline; null while online or away, or if never seen leaving. */
  lastSeen: string | null;
}

export const PresenceDomainEvent = {
  StatusChanged: 'presence.status_changed',
} as const;

export interface PresenceChangedEvent extends PresenceView {
  timestamp: string;
}
