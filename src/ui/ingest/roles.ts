import type { Role } from '../../pipeline/types';

export const ROLE_LABELS: Record<Role, string> = {
  user: 'User ID',
  session: 'Session ID',
  time: 'Timestamp',
  timeOffset: 'Time offset',
  eventType: 'Event type',
  item: 'Item ID',
  title: 'Item title',
  category: 'Category',
  brand: 'Brand',
  price: 'Price',
  quantity: 'Quantity',
  invoice: 'Invoice / order',
  country: 'Country',
};
