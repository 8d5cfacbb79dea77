// PLACEHOLDER: the alerts work (issue 6) replaces this case-page card.
import type { CasePanelProps } from '../supervision/SupervisionPanels';

export function AlertsCard(props: CasePanelProps) {
  void props;
  return null;
}
