// The pages of the monitoring section by route, and their window titles (mounted by the app shell).
import type { MessageKey } from '../../i18n';
import type { MonitoringRoutePage } from '../../router';
import { useSession } from '../../session';
import { DevicesPage } from './Devices';
import { OrderPage } from './OrderPage';
import { OrdersPage } from './Orders';
import { PolicePage } from './Police';
import { QueuePage } from './Queue';
import { Redirect } from './Tabs';

export const MONITORING_LABELS: Readonly<Record<MonitoringRoutePage, MessageKey>> = {
  queue: 'em.queue.title', orders: 'em.orders.title', order: 'em.order.title.plain', devices: 'em.devices.title', police: 'em.police.title',
};

/** A monitoring-only user's landing page: the queue for an operator, police requests for a liaison. */
function Landing() {
  const { can } = useSession();
  return <Redirect to={can('em.operate') ? '/monitoring' : '/monitoring/police-requests'} />;
}

export function monitoringPage(page: MonitoringRoutePage | 'landing', id: string | null) {
  if (page === 'landing') return <Landing />;
  if (page === 'order' && id) return <OrderPage key={id} id={id} />;
  if (page === 'orders') return <OrdersPage />;
  if (page === 'devices') return <DevicesPage />;
  if (page === 'police') return <PolicePage />;
  return <QueuePage />;
}
