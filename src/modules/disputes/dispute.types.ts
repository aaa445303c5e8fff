import type { DisputeStatus } from './entities/dispute.entity.js';

/** PROTOCOL.md `Dispute`. */
export interface DisputeView {
  id: string;
  orderId: string;
  openedBy: string;
  reason: string;
  status: DisputeStatus;
  moderatorId: string | null;
  resolution: string | null;
  chatId: string;
  createdAt: string;
  updatedAt: string;
}
