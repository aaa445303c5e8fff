import type { OrderStatus } from './entities/order.entity.js';

/** PROTOCOL.md `Order`. */
export interface OrderView {
  id: string;
  clientId: string;
  performerId: string;
  title: string;
  description: string | null;
  amount: number | null;
  status: OrderStatus;
  chatId: string;
  createdAt: string;
  updatedAt: string;
}
